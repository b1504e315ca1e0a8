"""Kiosk words in Vietnamese first, English as a switch. Procedure data itself stays Vietnamese.

A citizen is always addressed as "quý khách" (never "bạn", "ông/bà"): one polite form everywhere they read.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "get_ticket": ("LẤY SỐ THỨ TỰ", "GET A TICKET"),
    "lookup": ("TRA CỨU THỦ TỤC", "FIND A PROCEDURE"),
    "scan": ("QUÉT MÃ QR", "SCAN A QR CODE"),
    "lookup_sub": ("Xem hồ sơ cần chuẩn bị, phí, thời hạn", "Documents to bring, fees, times"),
    "scan_sub": ("Đưa mã trên tờ thông tin hoặc giấy hẹn vào máy", "Hold up the code on a poster or receipt"),
    "language": ("English", "Tiếng Việt"),
    "welcome": ("Kính chào quý khách", "Welcome"),
    "home_hint": (
        "Chạm vào lĩnh vực cần giải quyết để lấy số thứ tự",
        "Tap what you came for to get a queue ticket",
    ),
    "loading": ("Đang tải danh sách lĩnh vực…", "Loading…"),
    "choose_procedure": ("Chọn thủ tục (không bắt buộc)", "Choose a procedure (optional)"),
    "other": ("Thủ tục khác / không rõ thủ tục", "Another procedure / not sure"),
    "waiting": ("{n} người đang chờ", "{n} waiting"),
    "reopens": ("Mở lại lúc {t} ngày {d}.", "Reopens at {t} on {d}."),
    "priority_q": ("Quý khách thuộc đối tượng ưu tiên?", "Do you have priority?"),
    "priority_hint": (
        "Quý khách vui lòng xuất trình giấy tờ chứng minh khi được gọi.",
        "Please show proof at the counter when called.",
    ),
    "no_priority": ("Không thuộc đối tượng ưu tiên", "I do not have priority"),
    "back": ("‹ Quay lại", "‹ Back"),
    "home": ("Trang đầu", "Home"),
    "your_number": ("SỐ THỨ TỰ CỦA QUÝ KHÁCH", "YOUR NUMBER"),
    "printing": ("Đang in phiếu…", "Printing your ticket…"),
    "take_ticket": ("Mời quý khách nhận phiếu ở khe bên dưới.", "Please take your ticket below."),
    "print_failed": (
        "Chưa in được phiếu — quý khách vui lòng quét mã để theo dõi lượt, hoặc báo cán bộ",
        "The ticket could not be printed — please scan the code to follow your turn, or tell a staff member",
    ),
    "print_failed_no_qr": (
        "Chưa in được phiếu — quý khách vui lòng ghi nhớ số này, hoặc báo cán bộ",
        "The ticket could not be printed — please remember this number, or tell a staff member",
    ),
    "paper_out": (
        "Máy in hết giấy — quý khách vui lòng quét mã để theo dõi lượt, hoặc báo cán bộ",
        "The printer is out of paper — please scan the code to follow your turn, or tell a staff member",
    ),
    "paper_out_no_qr": (
        "Máy in hết giấy — quý khách vui lòng ghi nhớ số này và báo cán bộ",
        "The printer is out of paper — please remember this number and tell a staff member",
    ),
    "paper_back": ("Máy in đã có giấy. Mời quý khách bấm IN LẠI.", "The printer has paper again. Tap PRINT AGAIN."),
    "follow_qr": ("Quét mã bằng điện thoại để theo dõi lượt", "Scan with your phone to follow your turn"),
    "reprint": ("IN LẠI", "PRINT AGAIN"),
    "issuing": ("Đang lấy số…", "Getting your number…"),
    "offline": (
        "Máy tạm ngừng cấp số. Quý khách vui lòng hỏi cán bộ tại quầy hướng dẫn để được cấp số; "
        "vẫn có thể tra cứu thủ tục tại đây.",
        "Tickets are paused. Please ask the staff at the information desk for a number; "
        "you can still look up procedures here.",
    ),
    "closed": ("Tạm ngừng cấp số", "Closed"),
    "search_hint": ("Gõ tên thủ tục, không cần dấu", "Type a procedure name, no accents needed"),
    "search": ("Tìm", "Search"),
    "space": ("␣  dấu cách", "␣  space"),
    "erase": ("⌫  xóa", "⌫  delete"),
    "all_fields": ("‹ Tất cả lĩnh vực", "‹ All fields"),
    "procedures_n": ("{n} thủ tục", "{n} procedures"),
    "no_results": ("Không tìm thấy thủ tục phù hợp.", "No matching procedure."),
    "documents": ("Hồ sơ cần chuẩn bị", "Documents to bring"),
    "time": ("Thời hạn giải quyết", "Processing time"),
    "fee": ("Phí, lệ phí", "Fees"),
    "legal": ("Căn cứ pháp lý", "Legal basis"),
    "where": ("Nơi nộp hồ sơ", "Where to submit"),
    "where_desk": ("Bộ phận {f}", "{f} desk"),
    "where_counters": (" — quầy {c}", " — counter {c}"),
    "code": ("Mã thủ tục", "Procedure code"),
    "scan_phone": ("Quét bằng điện thoại để xem lại", "Scan with your phone to keep it"),
    "ticket_for_this": ("LẤY SỐ CHO THỦ TỤC NÀY", "GET A TICKET FOR THIS"),
    "scan_hint": ("Đưa mã QR vào giữa khung", "Hold the QR code inside the frame"),
    "scan_not_ours": ("Mã này không phải của Trung tâm.", "This code is not one of ours."),
    "scan_citizen_id": (
        "Đây là mã trên thẻ căn cước. Quý khách vui lòng xuất trình thẻ tại quầy khi nộp hồ sơ.",
        "This is the code on an ID card. Please show the card at the counter when you hand in your papers.",
    ),
    "no_camera": ("Không mở được máy ảnh của kiosk.", "The kiosk camera is not available."),
    "receipt": ("Hồ sơ {code}: ", "Dossier {code}: "),
    "receipt_offline": (
        "Chưa tra cứu được tình trạng hồ sơ lúc này (không có kết nối). Quý khách vui lòng hỏi cán bộ tại quầy.",
        "The dossier status is not available offline. Please ask at a counter.",
    ),
    "people_ahead": ("Trước quý khách có {n} người", "{n} people ahead of you"),
    "next_one": ("Quý khách là người tiếp theo", "You are next"),
    "wait_about": ("chờ khoảng {m} phút", "about {m} min"),
    "counters": ("Quầy phục vụ: {c} — vui lòng chờ gọi số", "Served at counter {c} — please wait for your number"),
}

# English names for the bundled catalogue's field codes (the service's group codes are the field codes) and
# for the seed priority codes. A centre's own codes have no English name: they show their Vietnamese one.
FIELD_NAMES_EN: dict[str, str] = {
    "HT": "Civil status (birth, marriage, death)",
    "CT": "Certified copies and signatures",
    "NCN": "Adoption",
    "DD": "Land",
    "KD": "Household business registration",
    "BTXH": "Social assistance",
    "NCC": "People with merit (veterans)",
    "GN": "Poverty reduction",
    "CUTRU": "Residence registration (commune police)",
}
PRIORITY_NAMES_EN: dict[str, str] = {
    "elderly": "Older person (60 or over)",
    "pregnant": "Pregnant woman",
    "disabled": "Person with a disability",
    "merit": "War invalid, sick soldier or person with revolutionary merit",
}


class Texts:
    def __init__(self, language: str = "vi") -> None:
        self.language = language

    def toggle(self) -> None:
        self.language = "en" if self.language == "vi" else "vi"

    def __call__(self, key: str, **values: object) -> str:
        vi, en = STRINGS[key]
        text = en if self.language == "en" else vi
        return text.format(**values) if values else text

    def field(self, code: str, name: str) -> str:
        """A field's (or service group's) name in the current language; unknown codes keep the Vietnamese one."""
        return FIELD_NAMES_EN.get(code, name) if self.language == "en" else name

    def priority(self, code: str, name: str) -> str:
        return PRIORITY_NAMES_EN.get(code, name) if self.language == "en" else name
