#!/bin/sh
# Container entrypoint of the Mirc silo. In cluster mode (AzureStorage: any mode but
# Localhost) every silo must advertise an address the other silos can reach; Kubernetes hands it in (status.podIP), Azure Container Apps does not, so when it is missing we take the
# address the platform wrote for this host name into /etc/hosts (the replica's own IP), then exec the silo.
set -eu

# MIRC_HOSTS_FILE and MIRC_APP_DIR only exist so tests can hand in a hosts file and a publish folder.
hosts_file="${MIRC_HOSTS_FILE:-/etc/hosts}"
app_dir="${MIRC_APP_DIR:-/app}"

# The silo binds the mode case-insensitively; unset means Localhost (one silo on loopback).
mode="$(printf '%s' "${Mirc__Cluster__Mode:-Localhost}" | tr '[:upper:]' '[:lower:]')"
if [ "$mode" != "localhost" ] && [ -z "${Mirc__Cluster__AdvertisedAddress:-}" ]; then
  self="$(cat /proc/sys/kernel/hostname)"
  address=""
  while read -r ip names; do
    case "$ip" in
      ''|\#*|127.*|::1|fe00:*|ff0?:*) continue ;;
    esac
    for name in $names; do
      if [ "$name" = "$self" ]; then
        address="$ip"
        break 2
      fi
    done
  done < "$hosts_file"
  if [ -z "$address" ] && command -v hostname >/dev/null 2>&1; then
    for ip in $(hostname -i 2>/dev/null); do
      case "$ip" in
        127.*|::1) ;;
        *) address="$ip"; break ;;
      esac
    done
  fi
  if [ -z "$address" ]; then
    echo "silo-entrypoint: cannot find this container's address; set Mirc__Cluster__AdvertisedAddress" >&2
    exit 1
  fi
  export Mirc__Cluster__AdvertisedAddress="$address"
fi

exec dotnet "$app_dir/Mirc.Silo.dll" "$@"
