"""High-contrast, large-type look for a touch kiosk read by elderly citizens."""

STYLE = """
QWidget { background: #ffffff; color: #0a2540; }
QLabel#title { font-size: 44px; font-weight: bold; color: #0a2540; }
QLabel#subtitle { font-size: 30px; color: #0a2540; }
QLabel#number { font-size: 190px; font-weight: bold; color: #0b4f9c; }
QLabel#big { font-size: 36px; font-weight: bold; }
QLabel#body { font-size: 26px; }
QLabel#heading { font-size: 30px; font-weight: bold; color: #0b4f9c; }
QLabel#clock { font-size: 28px; color: #0a2540; }
QPushButton#primary { background: #0b4f9c; color: white; font-size: 34px; font-weight: bold;
    border: 3px solid #0a2540; border-radius: 18px; padding: 18px 28px; }
QPushButton#primary:pressed { background: #083a73; }
QPushButton#primary:disabled { background: #c9d1dc; color: #4a5568; border-color: #8a94a6; }
QPushButton#secondary { background: #ffffff; color: #0a2540; font-size: 28px; font-weight: bold;
    border: 3px solid #0a2540; border-radius: 18px; padding: 14px 24px; }
QPushButton#secondary:pressed { background: #e3e7ee; }
QPushButton#key { background: #eef2f7; color: #0a2540; font-size: 30px; font-weight: bold;
    border: 2px solid #8a94a6; border-radius: 12px; }
QPushButton#key:pressed { background: #c9d1dc; }
QLineEdit { font-size: 34px; padding: 14px; border: 3px solid #0a2540; border-radius: 12px; }
QScrollBar:vertical { width: 30px; background: #eef2f7; border: none; }
QScrollBar::handle:vertical { background: #8a94a6; border-radius: 12px; min-height: 80px; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
"""
