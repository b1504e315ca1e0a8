; Inno Setup script: the Windows installer of the bundle (dist\motcua\ from motcua.spec).
; build.py runs it when Inno Setup 6's compiler is installed:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\motcua /Odist build_spec\motcua.iss   ->  dist\motcua-setup-0.1.0.exe
; One installer for every PC of the centre; the Start-menu entries start each role. Shared files (the centre's CA,
; device tokens) go in C:\ProgramData\MotCua\ (see README.md, "Building the bundle").

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
WelcomeLabel2=Cài đặt [name/ver]: dịch vụ trung tâm, kiosk, quầy, màn hình sảnh, màn hình lãnh đạo và màn hình đánh giá. Mỗi vai trò có một mục trong menu Start.

[Dirs]
; the service's data, the CA and device tokens: every user of the PC may read and write them
Name: "{#Shared}"; Permissions: users-modify
Name: "{#Shared}\data"; Permissions: users-modify

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Dịch vụ trung tâm"; Filename: "{app}\motcua-service.exe"; Parameters: "{code:ServiceParameters}"; WorkingDir: "{#Shared}"; Comment: "Hàng đợi của Trung tâm (máy chủ): để chạy suốt giờ làm việc"
Name: "{group}\Kiosk"; Filename: "{app}\motcua-kiosk.exe"; Parameters: "--token-file ""{#Shared}\kiosk.token"" --ca-file ""{#Shared}\ca.pem"""; WorkingDir: "{#Shared}"; Comment: "Màn hình cảm ứng lấy số thứ tự"
Name: "{group}\Quầy"; Filename: "{app}\motcua-counter.exe"; Parameters: "--ca-file ""{#Shared}\ca.pem"""; WorkingDir: "{#Shared}"; Comment: "Phần mềm quầy: gọi số, tiếp nhận hồ sơ"
Name: "{group}\Màn hình sảnh"; Filename: "{app}\motcua-display.exe"; Parameters: "--ca-file ""{#Shared}\ca.pem"""; WorkingDir: "{#Shared}"; Comment: "Màn hình gọi số trên TV ở sảnh"
Name: "{group}\Lãnh đạo"; Filename: "{app}\motcua-dashboard.exe"; Parameters: "--token-file ""{#Shared}\director.token"" --ca-file ""{#Shared}\ca.pem"""; WorkingDir: "{#Shared}"; Comment: "Màn hình lãnh đạo: sảnh, số liệu, cài đặt"
Name: "{group}\Đánh giá"; Filename: "{app}\motcua-rating.exe"; Parameters: "--counter {code:RatingCounter} --token-file ""{#Shared}\rating.token"" --ca-file ""{#Shared}\ca.pem"""; WorkingDir: "{#Shared}"; Comment: "Màn hình đánh giá mức độ hài lòng đặt tại quầy"
Name: "{group}\Gỡ cài đặt {#AppName}"; Filename: "{uninstallexe}"

[Code]
var
  CentrePage: TInputQueryWizardPage;

procedure InitializeWizard;
begin
  CentrePage := CreateInputQueryPage(wpSelectDir, 'Trung tâm', 'Tên xã (phường) và số quầy',
    'Trên máy chủ Trung tâm: nhập tên xã (phường), ví dụ Đông Hưng hoặc phường Ba Đình; để trống trên các máy khác. ' +
    'Trên máy màn hình đánh giá: số quầy mà màn hình đặt trước mặt công dân.');
  CentrePage.Add('Tên xã (phường) của Trung tâm:', False);
  CentrePage.Add('Số quầy của màn hình đánh giá:', False);
  CentrePage.Values[1] := '1';
end;

function ServiceParameters(Param: String): String;
begin
  { the service listens on the LAN (HTTPS with its own CA in data\tls\ca.pem); the commune is needed once }
  Result := '--data "' + ExpandConstant('{#Shared}') + '\data" --host 0.0.0.0';
  if Trim(CentrePage.Values[0]) <> '' then
    Result := Result + ' --commune "' + Trim(CentrePage.Values[0]) + '"';
end;

function RatingCounter(Param: String): String;
begin
  Result := Trim(CentrePage.Values[1]);
  if StrToIntDef(Result, 0) < 1 then
    Result := '1';
end;
