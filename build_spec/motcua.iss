; Inno Setup script: the Windows installer of the bundle (dist\motcua\ from motcua.spec).
; build.py runs it when Inno Setup 6's compiler is installed:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\motcua /Odist build_spec\motcua.iss   ->  dist\motcua-setup-0.1.0.exe
; One installer for every PC of the centre; the Start-menu entries start each role. After installing, "Cài đặt ban
; đầu" (`motcua-service setup`, the first-run wizard) sets this PC's role, pairs it with the service PC and makes the
; kiosk / hall display start at logon; the apps then need no options (config.toml and the pairing are per user).
; The service PC's data is C:\ProgramData\MotCua\data: the boot-time service runs as SYSTEM, which cannot read a
; user's config.toml, so its task gets --data and --commune on its command line (app/autostart.py).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\dist\motcua"
#endif
#define AppName "Một Cửa"
#define Shared "{commonappdata}\MotCua"

[Setup]
AppId={{5C0B7A3E-2D41-4E8B-9A57-6F1D2C8E4B90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Một Cửa
DefaultDirName={autopf}\MotCua
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputBaseFilename=motcua-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
WizardStyle=modern
UninstallDisplayIcon={app}\motcua-service.exe
UninstallDisplayName={#AppName}

[Messages]
WelcomeLabel2=Cài đặt [name/ver]: dịch vụ trung tâm, kiosk, quầy, màn hình sảnh, màn hình lãnh đạo và màn hình đánh giá. Cài xong, phần Cài đặt ban đầu hỏi máy này dùng để làm gì và ghép nối với máy chủ Trung tâm.

[Dirs]
; the service PC's data (the boot-time service runs as SYSTEM, the kiosk as the logged-on user: both use it)
Name: "{#Shared}"; Permissions: users-modify
Name: "{#Shared}\data"; Permissions: users-modify

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; no --token-file / --ca-file: each app uses this PC's pairing and config.toml, made by "Cài đặt ban đầu"
Name: "{group}\Cài đặt ban đầu"; Filename: "{app}\motcua-wizard.exe"; Parameters: "{code:SetupParameters}"; WorkingDir: "{app}"; Comment: "Chọn vai trò của máy này, thông tin Trung tâm, máy in, ghép nối với máy chủ"
Name: "{group}\Dịch vụ trung tâm"; Filename: "{app}\motcua-service.exe"; Parameters: "{code:ServiceParameters}"; WorkingDir: "{#Shared}"; Comment: "Hàng đợi của Trung tâm (máy chủ), khi chưa tự chạy lúc bật máy"
Name: "{group}\Kiosk"; Filename: "{app}\motcua-kiosk.exe"; WorkingDir: "{app}"; Comment: "Màn hình cảm ứng lấy số thứ tự"
Name: "{group}\Quầy"; Filename: "{app}\motcua-counter.exe"; WorkingDir: "{app}"; Comment: "Phần mềm quầy: gọi số, tiếp nhận hồ sơ"
Name: "{group}\Màn hình sảnh"; Filename: "{app}\motcua-display.exe"; WorkingDir: "{app}"; Comment: "Màn hình gọi số trên TV ở sảnh"
Name: "{group}\Lãnh đạo"; Filename: "{app}\motcua-dashboard.exe"; WorkingDir: "{app}"; Comment: "Màn hình lãnh đạo: sảnh, số liệu, thiết bị, cài đặt"
Name: "{group}\Đánh giá"; Filename: "{app}\motcua-rating.exe"; WorkingDir: "{app}"; Comment: "Màn hình đánh giá mức độ hài lòng đặt tại quầy"
Name: "{group}\Gỡ cài đặt {#AppName}"; Filename: "{uninstallexe}"

[Tasks]
; the commune's service PC: the service starts at boot (as SYSTEM, whether anyone is logged on or not) and comes back
; after a crash (app/autostart.py). Registering a task that runs as SYSTEM needs the administrator rights Setup has
; and "Cài đặt ban đầu" (run as the user) has not: so it is done here. The kiosk and the hall display start at the
; user's logon: "Cài đặt ban đầu" registers those for the role chosen there.
Name: "autostart"; Description: "Tự chạy dịch vụ trung tâm khi bật máy (máy chủ Trung tâm)"; Check: IsServicePC

[Run]
Filename: "{app}\motcua-service.exe"; Parameters: "install-service {code:ServiceParameters}"; Tasks: autostart; Flags: runhidden waituntilterminated; StatusMsg: "Đăng ký dịch vụ trung tâm tự chạy khi bật máy…"
; the wizard as the user who started Setup (postinstall's default): config.toml and the pairing are that user's
Filename: "{app}\motcua-wizard.exe"; Parameters: "{code:SetupParameters}"; WorkingDir: "{app}"; Description: "Mở Cài đặt ban đầu (vai trò của máy, Trung tâm, máy in, ghép nối)"; Flags: postinstall nowait skipifsilent

[UninstallRun]
Filename: "{app}\motcua-service.exe"; Parameters: "uninstall-service"; Flags: runhidden waituntilterminated; RunOnceId: "RemoveServiceTask"
Filename: "{app}\motcua-service.exe"; Parameters: "uninstall-service --role kiosk"; Flags: runhidden waituntilterminated; RunOnceId: "RemoveKioskTask"
Filename: "{app}\motcua-service.exe"; Parameters: "uninstall-service --role display"; Flags: runhidden waituntilterminated; RunOnceId: "RemoveDisplayTask"

[Code]
var
  CentrePage: TInputQueryWizardPage;

procedure InitializeWizard;
begin
  CentrePage := CreateInputQueryPage(wpSelectDir, 'Trung tâm', 'Tên xã (phường) của Trung tâm',
    'Chỉ trên máy chủ Trung tâm (máy kiosk ở sảnh): nhập tên xã (phường), ví dụ Đông Hưng hoặc phường Ba Đình, để ' +
    'dịch vụ trung tâm tự chạy khi bật máy. Trên các máy khác: để trống.');
  CentrePage.Add('Tên xã (phường) của Trung tâm:', False);
end;

function Commune: String;
begin
  { a quote would end the command-line argument early }
  Result := Trim(CentrePage.Values[0]);
  StringChangeEx(Result, '"', '', True);
end;

function ServiceParameters(Param: String): String;
begin
  { the service listens on the LAN (HTTPS with its own CA in data\tls\ca.pem); the commune is needed once }
  Result := '--data "' + ExpandConstant('{#Shared}') + '\data" --host 0.0.0.0';
  if Commune <> '' then
    Result := Result + ' --commune "' + Commune + '"';
end;

function SetupParameters(Param: String): String;
begin
  { the wizard offers the shared data folder and the commune; it does not register the boot-time service again }
  Result := '--data "' + ExpandConstant('{#Shared}') + '\data"';
  if Commune <> '' then
    Result := Result + ' --commune "' + Commune + '"';
  if WizardIsTaskSelected('autostart') then
    Result := Result + ' --service-registered';
end;

function IsServicePC: Boolean;
begin
  { the commune is asked on the service PC only }
  Result := Commune <> '';
end;
