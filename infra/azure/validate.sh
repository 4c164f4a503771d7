#!/usr/bin/env bash
# Compiles infra/azure offline with the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64) and fails on any
# warning or error, the linter's included. Usage: infra/azure/validate.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="0.49.2"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"

if [ ! -x "$bicep" ]; then
  # PackageDownload fetches the package into the NuGet cache without building anything.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat > "$work/bicep-download.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" />
  </ItemGroup>
</Project>
PROJ
  dotnet restore "$work/bicep-download.csproj" --nologo -v quiet >/dev/null
  chmod +x "$bicep"
fi

out="$(mktemp -d)"
status=0
check() {
  local log="$out/log"
  if ! "$bicep" "$@" >"$log" 2>&1; then status=1; fi
  if grep -Eq '(Warning|Error) [A-Za-z-]+[0-9]*' "$log"; then status=1; fi
  cat "$log"
}
check build "$here/main.bicep" --outfile "$out/main.json"
MIRC_DICOM_TLS_CERT="${MIRC_DICOM_TLS_CERT:-validate-only-cert}" MIRC_DICOM_TLS_KEY="${MIRC_DICOM_TLS_KEY:-validate-only-key}" check build-params "$here/main.bicepparam" --outfile "$out/main.parameters.json"
rm -rf "$out"
if [ "$status" -eq 0 ]; then echo "bicep: main.bicep and main.bicepparam compile with no warning"; else echo "bicep: validation failed" >&2; fi
exit "$status"
