"""Page images: clean-up of scanned and photographed pages, pure numpy/OpenCV on arrays (no Qt, no I/O)."""
