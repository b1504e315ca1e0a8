"""Cameras and QR decoding (OpenCV, zxing-cpp). Import the submodules directly: importing cv2 costs
~0.1 s, which the kiosk's cold start should pay only when it opens the camera."""
