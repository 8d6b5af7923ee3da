#!/usr/bin/env bash
# Builds GDAL's own OGCAPI driver with its vector-tile branch, as a GDAL
# plugin, when the installed GDAL was built without that branch; prints the
# folder to put in GDAL_DRIVER_PATH (empty when the installed GDAL needs no
# plugin).
#
#   scripts/gdal-ogcapi.sh            build .bin/gdalplugins/gdal_OGCAPI.so if needed
#
# Why: Debian 12's GDAL 3.6.2 configures frmts/ before the OGR drivers, so
# OGR_ENABLE_DRIVER_GML is still unset when frmts/ogcapi is built and the
# driver's vector-tile branch is compiled out (libgdal holds no
# "vectorType"): `ogrinfo OGCAPI:<collection>` fetches the tilesets and
# then gives up. The branch is in the very source Debian ships. This script
# takes that source (apt-get source, the installed version), the headers of
# libgdal-dev (its .deb unpacked into a scratch folder: nothing is
# installed), and compiles the driver's one file with the branch on. GDAL
# loads plugins before its own drivers, so with GDAL_DRIVER_PATH set
# `OGCAPI:` is this build. Everything comes from Debian; a private apt state
# folder keeps the machine's apt lists as they are. It needs g++ (installed
# when missing). A second run reuses the plugin.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=$REPO/.bin/gdalplugins
PLUGIN=$OUT/gdal_OGCAPI.so

trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR

# awk reads all of ldd's output: an early exit would end ldd with SIGPIPE,
# which pipefail turns into a failure.
libgdal=$(ldd "$(command -v ogrinfo)" | awk '/libgdal\.so/ && !found {print $3; found = 1}')
[ -n "$libgdal" ] && [ -f "$libgdal" ] || die "cannot find the libgdal that ogrinfo uses"
if grep -qa vectorType "$libgdal"; then
	exit 0 # the installed driver reads vector tilesets itself
fi
if [ -f "$PLUGIN" ] && [ "$PLUGIN" -nt "$libgdal" ] && [ "$PLUGIN" -nt "${BASH_SOURCE[0]}" ]; then
	echo "$OUT"
	exit 0
fi

command -v g++ >/dev/null 2>&1 || apt_install g++
pkg=$(dpkg -S "$(readlink -f "$libgdal")" | cut -d: -f1)             # libgdal32
version=$(dpkg-query -W -f '${Version}' "$pkg")                      # 3.6.2+dfsg-1+b2
source_version=$(dpkg-query -W -f '${source:Version}' "$pkg")        # 3.6.2+dfsg-1
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?}")        # bookworm
log "building GDAL $source_version's OGCAPI driver with its vector tiles (the installed one lacks them)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
cat >"$work/sources.list" <<EOF
deb http://deb.debian.org/debian $codename main
deb-src http://deb.debian.org/debian $codename main
deb http://deb.debian.org/debian-security $codename-security main
deb-src http://deb.debian.org/debian-security $codename-security main
EOF
apt=(apt-get -q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=-
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
	-o APT::Sandbox::User="$(id -un)")
"${apt[@]}" update >"$work/apt.log" 2>&1 || die "apt-get update failed: $(tail -n 3 "$work/apt.log")"
(cd "$work" && "${apt[@]}" source --download-only "gdal=$source_version" >>"$work/apt.log" 2>&1 &&
	"${apt[@]}" download "libgdal-dev=$version" >>"$work/apt.log" 2>&1) ||
	die "could not fetch GDAL $source_version's source and headers from Debian: $(tail -n 3 "$work/apt.log")"

dpkg -x "$work"/libgdal-dev_*.deb "$work/dev"
mkdir "$work/src"
tar -xJf "$work"/gdal_*.orig.tar.xz -C "$work/src" --strip-components=1 --wildcards \
	'*/frmts/ogcapi/*' '*/gcore/*' '*/port/*' '*/ogr/*' '*/apps/*' '*/alg/*'
s=$work/src
mkdir -p "$OUT"
g++ -std=c++17 -O2 -fPIC -shared -DOGR_ENABLE_DRIVER_GML -DGDAL_COMPILATION \
	-I "$work/dev/usr/include/gdal" -I "$s/gcore" -I "$s/port" -I "$s/ogr" -I "$s/ogr/ogrsf_frmts" \
	-I "$s/ogr/ogrsf_frmts/gml" -I "$s/apps" -I "$s/alg" \
	-o "$PLUGIN.tmp" "$s/frmts/ogcapi/gdalogcapidataset.cpp" "$libgdal"
mv "$PLUGIN.tmp" "$PLUGIN"
GDAL_DRIVER_PATH=$OUT ogrinfo --formats 2>/dev/null | grep -q '^ *OGCAPI ' || die "GDAL does not load $PLUGIN"
log "built $PLUGIN"
echo "$OUT"
