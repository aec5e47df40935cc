#!/usr/bin/env bash
# Builds an OpenTfa release from this working tree:
#   opentfa-<version>-linux-x64.tar.gz   self-contained server and opentfa command, settings, unit
#   opentfa_<version>_amd64.deb          the same binaries as a Debian package
# Usage: release/build.sh [OUTPUT_DIRECTORY]     (default: .artifacts/release)
# Environment: OPENTFA_MAINTAINER sets the package's Maintainer field.
# The version is Directory.Build.props' <Version>; one publish serves both artifacts.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
release="$root/release"
out=$(realpath -m "${1:-$root/.artifacts/release}")
maintainer=${OPENTFA_MAINTAINER:-"OpenTfa maintainers <maintainers@opentfa.invalid>"}

fail() { echo "release: $*" >&2; exit 1; }

for tool in dotnet dpkg-deb strip tar gzip md5sum; do
  command -v "$tool" >/dev/null 2>&1 \
    || fail "'$tool' is not installed; on Debian: apt-get install dpkg-dev (or run ./test.sh, which installs it)"
done

version=$(dotnet msbuild "$root/src/OpenTfa.Cli" -nologo -getProperty:Version)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || fail "unexpected version '$version' in Directory.Build.props"
# Debian sorts a pre-release below its release only when it is written with a tilde (1.0.0~rc.1).
deb_version=${version/-/\~}

# Reproducible timestamps: the commit's time when git knows it, else now.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== publishing OpenTfa $version (linux-x64, self-contained)"
publish="$work/publish"
# The command line references the server, so its publish holds both programs (OpenTfa.Server
# and opentfa) on one runtime.
dotnet publish "$root/src/OpenTfa.Cli" -nologo -v quiet -clp:ErrorsOnly \
  -c Release -r linux-x64 --self-contained true \
  -p:DebugType=none -p:SatelliteResourceLanguages=en \
  -o "$publish"
for program in OpenTfa.Server opentfa; do
  [ -x "$publish/$program" ] || fail "the publish lacks $program"
done
# LTTng tracing support: it links a library Debian systems rarely have, and nothing needs it.
rm -f "$publish/libcoreclrtraceptprovider.so"
# SQLite's library comes with its symbols; the runtime's are stripped already.
strip --strip-unneeded "$publish"/*.so
# Normal modes whatever the umask: programs 0755, everything else 0644.
find "$publish" -type d -exec chmod 0755 {} +
find "$publish" -type f -exec chmod 0644 {} +
chmod 0755 "$publish/OpenTfa.Server" "$publish/opentfa" "$publish/createdump"

mkdir -p "$out"

echo "== archive (${SECONDS}s)"
name="opentfa-$version-linux-x64"
stage="$work/$name"
cp -a "$publish" "$stage"
install -m 0644 "$release/appsettings.sample.json" "$stage/appsettings.sample.json"
sed 's#/usr/lib/opentfa/#/opt/opentfa/#' "$release/opentfa.service" >"$stage/opentfa.service"
install -m 0644 "$release/debian/copyright" "$stage/COPYRIGHT"
install -m 0644 "$root/LICENSE" "$root/README.md" "$root/CHANGELOG.md" "$stage/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$work" -cf - "$name" | gzip -n >"$out/$name.tar.gz"

echo "== Debian package (${SECONDS}s)"
pkg="$work/deb"
lib="$pkg/usr/lib/opentfa"
doc="$pkg/usr/share/doc/opentfa"
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/lib" "$pkg/usr/bin" "$pkg/etc/opentfa" \
  "$pkg/lib/systemd/system" "$doc" "$pkg/usr/share/lintian/overrides"
cp -a "$publish" "$lib"
# The server reads appsettings.json beside its binary: that is the operator's file in /etc.
rm "$lib/appsettings.json"
ln -s /etc/opentfa/appsettings.json "$lib/appsettings.json"
ln -s ../lib/opentfa/opentfa "$pkg/usr/bin/opentfa"
install -m 0644 "$release/appsettings.sample.json" "$pkg/etc/opentfa/appsettings.json"
install -m 0644 "$release/opentfa.service" "$pkg/lib/systemd/system/opentfa.service"
install -m 0644 "$release/debian/copyright" "$doc/copyright"
install -m 0644 "$root/README.md" "$doc/README.md"
install -m 0644 "$release/debian/lintian-overrides" "$pkg/usr/share/lintian/overrides/opentfa"
gzip -9n -c "$root/CHANGELOG.md" >"$doc/CHANGELOG.md.gz"
{
  printf 'opentfa (%s) unstable; urgency=medium\n\n' "$deb_version"
  printf '  * OpenTfa %s; the changes are in /usr/share/doc/opentfa/CHANGELOG.md.gz.\n\n' "$version"
  printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz" "$doc/CHANGELOG.md.gz"

install -m 0644 "$release/debian/conffiles" "$pkg/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$release/debian/$script" "$pkg/DEBIAN/$script"
done
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s#@VERSION@#$deb_version#" -e "s#@MAINTAINER@#$maintainer#" -e "s#@INSTALLED_SIZE@#$installed_size#" \
  "$release/debian/control" >"$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -depth -newermt "@$SOURCE_DATE_EPOCH" -exec touch --no-dereference -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$out/opentfa_${deb_version}_amd64.deb" >/dev/null

echo "$out/$name.tar.gz"
echo "$out/opentfa_${deb_version}_amd64.deb"
echo "== done (${SECONDS}s)" >&2
