"""Request and response bodies of the centre API (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from app.core.request_rules import CLERK, GROUP, MAX_ID, PRIORITY, REASON
from app.core.ticket import Channel

TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="Mã số của phiếu")]
CounterId = Annotated[int, Path(ge=1, le=MAX_ID, description="Số quầy")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueRequest(_Strict):
    group: str = Field(min_length=GROUP.min, max_length=GROUP.max, description="Mã nhóm dịch vụ, ví dụ HT")
    priority: str | None = Field(default=None, max_length=PRIORITY.max, description="Mã đối tượng ưu tiên")
    channel: Channel = Channel.KIOSK


class ClerkRequest(_Strict):
    clerk: str | None = Field(default=None, max_length=CLERK.max)


class TransferRequest(_Strict):
    group: str = Field(min_length=GROUP.min, max_length=GROUP.max)


class PauseRequest(_Strict):
    reason: str = Field(default="break", max_length=REASON.max, description="break | back_office | meeting")
    clerk: str | None = Field(default=None, max_length=CLERK.max)


class DeviceRequest(_Strict):
    name: str = Field(min_length=1, max_length=80)
    role: str = Field(description="admin | kiosk | counter | display | director | rating")
    counter: int | None = Field(
        default=None, ge=1, le=999, description="quầy của thiết bị vai trò counter (bắt buộc với rating)"
    )


class UserRequest(_Strict):
    username: str = Field(min_length=1, max_length=64, description="Tên đăng nhập, ví dụ lan.nguyen")
    display_name: str = Field(min_length=1, max_length=80, description="Họ tên cán bộ")
    role: str = Field(description="clerk | director | admin")
    secret: str = Field(min_length=1, max_length=128, description="Mã PIN (≥ 6 chữ số) hoặc mật khẩu (≥ 8 ký tự)")


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: str


class SignInRequest(_Strict):
    username: str = Field(min_length=1, max_length=64)
    secret: str = Field(min_length=1, max_length=128, description="Mã PIN hoặc mật khẩu")
    counter: int | None = Field(default=None, ge=1, description="Quầy làm việc (cán bộ quầy)")


class SessionUserOut(BaseModel):
    username: str
    display_name: str
    role: str


class SessionOut(BaseModel):
    token: str | None = Field(default=None, description="Mã phiên, chỉ trả về một lần khi đăng nhập")
    user: SessionUserOut
    counter: int | None
    expires_at: str


class TicketOut(BaseModel):
    id: int
    number: str = Field(description="Số hiển thị, ví dụ A001")
    seq_number: int
    group: str
    day: str
    issued_at: str
    channel: str
    priority: str | None
    state: str
    outcome: str | None
    call_count: int
    counter: int | None
    transfers: int


class IssuedTicketOut(TicketOut):
    people_ahead: int
    estimated_wait_s: int
    follow: str = Field(default="", description="khóa trang theo dõi /t/{follow} in trong mã QR trên phiếu")
    no_show_after_calls: int = Field(
        default=3, description="số lần gọi trước khi số bị hủy vì vắng mặt (phiếu in đúng con số này)"
    )


class ErrorOut(BaseModel):
    error: str = Field(description="Mã lỗi ổn định cho chương trình")
    message: str = Field(description="Thông báo tiếng Việt cho người dùng")
    details: dict[str, object] = Field(default_factory=dict)
