"""PAdES signatures on the counter's PDFs (Qt-free): a PKCS#11 token or a PKCS#12 file, and verification."""
