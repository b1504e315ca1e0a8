"""One OpenBLAS in the bundle instead of two (motcua.spec): OpenCV's wheel carries its own (libopenblasp, 39 MB, with
its libgfortran and libquadmath) beside numpy's (libscipy_openblas64_, 24 MB). `cv2` calls 20 routines of it: four
CBLAS gemm and sixteen LAPACK solvers/factorisations. On Linux, with a C compiler, OpenCV's library is replaced by a
small one of the same name whose functions convert the 32-bit integer arguments to numpy's 64-bit ones (ILP64, its
`scipy_…64_` names) and call numpy's OpenBLAS. If `cv2` ever needs a routine the shim lacks, the original stays.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

_OPENCV_BLAS = re.compile(r"^opencv_python_headless\.libs/(libopenblas[^/]*\.so[^/]*)$")
_NUMPY_BLAS = re.compile(r"^numpy\.libs/(libscipy_openblas64_[^/]*\.so[^/]*)$")
_CV2 = re.compile(r"^cv2/cv2[^/]*\.so$")

_GEMM = """
void cblas_{t}gemm(int order, int ta, int tb, int m, int n, int k, {a} alpha, const {e} *a, int lda, const {e} *b,
                   int ldb, {a} beta, {e} *c, int ldc) {{
    scipy_cblas_{t}gemm64_(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}}
"""
_GEMM_DECL = """void scipy_cblas_{t}gemm64_(int, int, int, i64, i64, i64, {a}, const {e} *, i64, const {e} *, i64, {a},
                            {e} *, i64);
"""
# LAPACK, as OpenCV declares them (no hidden string lengths: numpy's are passed 1). I: an int in, O: out (info),
# R: real array, C: a character flag; pivots and integer workspace are copied through 64-bit arrays.
_LAPACK = """
#define L64(x) i64 x##_ = *x
void scipy_{t}gesv_64_(i64 *, i64 *, T *, i64 *, i64 *, T *, i64 *, i64 *);
void {t}gesv_(int *n, int *nrhs, T *a, int *lda, int *ipiv, T *b, int *ldb, int *info) {{
    L64(n); L64(nrhs); L64(lda); L64(ldb); i64 info_ = 0;
    i64 *p = malloc(sizeof(i64) * (n_ > 0 ? n_ : 1));
    scipy_{t}gesv_64_(&n_, &nrhs_, a, &lda_, p, b, &ldb_, &info_);
    for (i64 i = 0; i < n_; i++) ipiv[i] = (int)p[i];
    free(p); *info = (int)info_;
}}
void scipy_{t}getrf_64_(i64 *, i64 *, T *, i64 *, i64 *, i64 *);
void {t}getrf_(int *m, int *n, T *a, int *lda, int *ipiv, int *info) {{
    L64(m); L64(n); L64(lda); i64 info_ = 0, k = m_ < n_ ? m_ : n_;
    i64 *p = malloc(sizeof(i64) * (k > 0 ? k : 1));
    scipy_{t}getrf_64_(&m_, &n_, a, &lda_, p, &info_);
    for (i64 i = 0; i < k; i++) ipiv[i] = (int)p[i];
    free(p); *info = (int)info_;
}}
void scipy_{t}posv_64_(char *, i64 *, i64 *, T *, i64 *, T *, i64 *, i64 *, size_t);
void {t}posv_(char *uplo, int *n, int *nrhs, T *a, int *lda, T *b, int *ldb, int *info) {{
    L64(n); L64(nrhs); L64(lda); L64(ldb); i64 info_ = 0;
    scipy_{t}posv_64_(uplo, &n_, &nrhs_, a, &lda_, b, &ldb_, &info_, 1); *info = (int)info_;
}}
void scipy_{t}potrf_64_(char *, i64 *, T *, i64 *, i64 *, size_t);
void {t}potrf_(char *uplo, int *n, T *a, int *lda, int *info) {{
    L64(n); L64(lda); i64 info_ = 0;
    scipy_{t}potrf_64_(uplo, &n_, a, &lda_, &info_, 1); *info = (int)info_;
}}
void scipy_{t}gels_64_(char *, i64 *, i64 *, i64 *, T *, i64 *, T *, i64 *, T *, i64 *, i64 *, size_t);
void {t}gels_(char *trans, int *m, int *n, int *nrhs, T *a, int *lda, T *b, int *ldb, T *work, int *lwork, int *info) {{
    L64(m); L64(n); L64(nrhs); L64(lda); L64(ldb); L64(lwork); i64 info_ = 0;
    scipy_{t}gels_64_(trans, &m_, &n_, &nrhs_, a, &lda_, b, &ldb_, work, &lwork_, &info_, 1); *info = (int)info_;
}}
void scipy_{t}geqrf_64_(i64 *, i64 *, T *, i64 *, T *, T *, i64 *, i64 *);
void {t}geqrf_(int *m, int *n, T *a, int *lda, T *tau, T *work, int *lwork, int *info) {{
    L64(m); L64(n); L64(lda); L64(lwork); i64 info_ = 0;
    scipy_{t}geqrf_64_(&m_, &n_, a, &lda_, tau, work, &lwork_, &info_); *info = (int)info_;
}}
void scipy_{t}gesdd_64_(char *, i64 *, i64 *, T *, i64 *, T *, T *, i64 *, T *, i64 *, T *, i64 *, i64 *, i64 *,
                        size_t);
void {t}gesdd_(char *jobz, int *m, int *n, T *a, int *lda, T *s, T *u, int *ldu, T *vt, int *ldvt, T *work, int *lwork,
               int *iwork, int *info) {{
    L64(m); L64(n); L64(lda); L64(ldu); L64(ldvt); L64(lwork); i64 info_ = 0, k = m_ < n_ ? m_ : n_;
    i64 *iw = malloc(sizeof(i64) * (8 * k > 0 ? 8 * k : 1));  /* integer workspace: scratch only */
    (void)iwork;
    scipy_{t}gesdd_64_(jobz, &m_, &n_, a, &lda_, s, u, &ldu_, vt, &ldvt_, work, &lwork_, iw, &info_, 1);
    free(iw); *info = (int)info_;
}}
#undef L64
"""
_GEEV = """
void scipy_dgeev_64_(char *, char *, i64 *, double *, i64 *, double *, double *, double *, i64 *, double *, i64 *,
                     double *, i64 *, i64 *, size_t, size_t);
void dgeev_(char *jobvl, char *jobvr, int *n, double *a, int *lda, double *wr, double *wi, double *vl, int *ldvl,
            double *vr, int *ldvr, double *work, int *lwork, int *info) {
    i64 n_ = *n, lda_ = *lda, ldvl_ = *ldvl, ldvr_ = *ldvr, lwork_ = *lwork, info_ = 0;
    scipy_dgeev_64_(jobvl, jobvr, &n_, a, &lda_, wr, wi, vl, &ldvl_, vr, &ldvr_, work, &lwork_, &info_, 1, 1);
    *info = (int)info_;
}
"""


def shim_source() -> str:
    parts = ["#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\ntypedef int64_t i64;\n"]
    for t, e, a in (("s", "float", "float"), ("d", "double", "double"), ("c", "void", "const void *"),
                    ("z", "void", "const void *")):  # fmt: skip
        parts += [_GEMM_DECL.format(t=t, e=e, a=a), _GEMM.format(t=t, e=e, a=a)]
    for t, real in (("s", "float"), ("d", "double")):
        parts.append(f"#define T {real}\n" + _LAPACK.format(t=t) + "#undef T\n")
    parts.append(_GEEV)
    return "".join(parts)


def shimmed_openblas(binaries: list[tuple[str, str, str]], workdir: str) -> list[tuple[str, str, str]]:
    """`binaries` with OpenCV's OpenBLAS replaced by the shim over numpy's; unchanged elsewhere, without a compiler,
    or when the shim would lack a routine `cv2` needs."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not sys.platform.startswith("linux") or compiler is None or shutil.which("nm") is None:
        return binaries
    theirs = next(((d, s) for d, s, _ in binaries if _OPENCV_BLAS.match(d)), None)
    numpy = next(((d, s) for d, s, _ in binaries if _NUMPY_BLAS.match(d)), None)
    cv2 = next((s for d, s, _ in binaries if _CV2.match(d)), None)
    if theirs is None or numpy is None or cv2 is None:
        return binaries
    name = Path(theirs[0]).name
    built = Path(workdir) / "blas" / name
    built.parent.mkdir(parents=True, exist_ok=True)
    source = built.with_name("cv2_blas_shim.c")
    source.write_text(shim_source(), encoding="utf-8")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(built), str(source), f"-Wl,-soname,{name}",  # noqa: S603
                    f"-L{Path(numpy[1]).parent}", f"-l:{Path(numpy[1]).name}",
                    "-Wl,-rpath,$ORIGIN/../numpy.libs"], check=True)  # fmt: skip
    needed = _symbols(cv2, undefined=True) & _symbols(theirs[1], undefined=False)
    missing = needed - _symbols(str(built), undefined=False)
    if missing:
        print(f"blas_shim: cv2 needs {sorted(missing)} too: OpenCV's own OpenBLAS stays", flush=True)
        return binaries
    # its libgfortran and libquadmath, needed by nothing else, then go with trim.prune_orphans
    return [(dest, str(built) if dest == theirs[0] else src, typecode) for dest, src, typecode in binaries]


def _symbols(path: str, *, undefined: bool) -> set[str]:
    flag = "--undefined-only" if undefined else "--defined-only"
    listing = subprocess.run(["nm", "-D", flag, path], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    return {line.split()[-1].split("@")[0] for line in listing.splitlines() if line.strip()}
