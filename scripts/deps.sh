#!/usr/bin/env bash
# Installs what the tests need beyond PostGIS (scripts/pg.sh handles that),
# only when it is missing:
#   ogrinfo, ogr2ogr   Debian gdal-bin
#   chromium           Debian chromium (/usr/bin/chromium; never a browser
#                      download), plus fonts-liberation for readable
#                      screenshots
#   nginx              Debian nginx (the caching proxy of the scale-out test;
#                      the test runs its own, the system service is unused)
#   GDAL's OGCAPI driver with vector tiles, when the installed GDAL lacks
#                      them (Debian 12): scripts/gdal-ogcapi.sh builds it
#                      from Debian's source into .bin/gdalplugins
# As root it uses apt-get; otherwise password-less sudo; otherwise it fails
# with one line naming the packages to install.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LOG_PREFIX=deps.sh
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"

pkgs=()
if ! command -v ogrinfo >/dev/null 2>&1 || ! command -v ogr2ogr >/dev/null 2>&1; then
	pkgs+=(gdal-bin)
fi
if [ ! -x /usr/bin/chromium ]; then
	pkgs+=(chromium)
fi
if [ ! -d /usr/share/fonts/truetype/liberation ]; then
	pkgs+=(fonts-liberation)
fi
if [ ! -x /usr/sbin/nginx ]; then
	pkgs+=(nginx)
fi

if [ "${#pkgs[@]}" -gt 0 ]; then
	apt_install "${pkgs[@]}"
fi

command -v ogrinfo >/dev/null 2>&1 || die "ogrinfo still missing after installing gdal-bin"
command -v ogr2ogr >/dev/null 2>&1 || die "ogr2ogr still missing after installing gdal-bin"
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium still missing after installing chromium"
[ -x /usr/sbin/nginx ] || die "/usr/sbin/nginx still missing after installing nginx"
bash "$REPO/scripts/gdal-ogcapi.sh" >/dev/null
