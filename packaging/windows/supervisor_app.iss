; Inno Setup 6.3+ script: the Windows installer of 督导纪实 (packaging/README.md).
; On a Windows build machine, after `python packaging\build.py --smoke`:
;     iscc packaging\windows\supervisor_app.iss
; gives dist\installer\supervisor-app-setup-<version>.exe. The version is read from the built
; supervisor-app.exe (its version resource comes from pyproject.toml).
;
; Upgrades: AppId never changes, so a newer installer replaces the program in place; the data
; folder (%LOCALAPPDATA%\supervisor_app) is outside {app} and is never touched, neither by an
; upgrade nor by uninstalling (Inno Setup removes only the files it installed).

#define AppName "督导纪实"
#define AppWindowExe "supervisor-app-window.exe"
#define AppCliExe "supervisor-app.exe"
#define BuiltFolder AddBackslash(SourcePath) + "..\..\dist\supervisor-app"
#define AppVersion GetVersionNumbersString(BuiltFolder + "\" + AppCliExe)

[Setup]
; Fixed forever: Windows knows the installed program by this id (upgrade, uninstall).
AppId={{280C0593-FB18-4CDB-B0CD-07F1DA1F181E}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=督导纪实
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\SupervisorApp
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Installed for all users by the IT person; an ordinary user may choose a per-user install instead.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
LicenseFile=..\licenses\LICENSE.txt
InfoBeforeFile=..\licenses\NOTICE.txt
OutputDir=..\..\dist\installer
OutputBaseFilename=supervisor-app-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
; An upgrade closes a running 督导纪实 first (its database must not be open while files change).
CloseApplications=yes
RestartApplications=no
UninstallDisplayIcon={app}\{#AppWindowExe}
UninstallDisplayName={#AppName}
SetupLogging=yes

[Languages]
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
Name: "chs"; MessagesFile: "ChineseSimplified.isl"
#else
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "快捷方式："

[InstallDelete]
; An upgrade starts from a clean program folder, so no file of the old version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BuiltFolder}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\licenses\*"; DestDir: "{app}\licenses"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppWindowExe}"; Comment: "督导纪实"
Name: "{group}\许可证"; Filename: "{app}\licenses"
Name: "{group}\卸载{#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppWindowExe}"; Tasks: desktopicon

[Registry]
; .sgb (同步包) and .card (设备卡) open in the window, which imports or enrols them on the 同步 page.
Root: HKA; Subkey: "Software\Classes\.sgb"; ValueType: string; ValueName: ""; ValueData: "SupervisorApp.Bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.sgb\OpenWithProgids"; ValueType: string; ValueName: "SupervisorApp.Bundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\SupervisorApp.Bundle"; ValueType: string; ValueName: ""; ValueData: "督导纪实同步包"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\SupervisorApp.Bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppWindowExe},0"
Root: HKA; Subkey: "Software\Classes\SupervisorApp.Bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppWindowExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.card"; ValueType: string; ValueName: ""; ValueData: "SupervisorApp.Card"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.card\OpenWithProgids"; ValueType: string; ValueName: "SupervisorApp.Card"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\SupervisorApp.Card"; ValueType: string; ValueName: ""; ValueData: "督导纪实设备卡"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\SupervisorApp.Card\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppWindowExe},0"
Root: HKA; Subkey: "Software\Classes\SupervisorApp.Card\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppWindowExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppWindowExe}"; Description: "立即打开督导纪实"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the data folder, its backups and keys, and the device keys in Windows'
; credential store stay where they are (docs/install.md says how to remove them on purpose).
