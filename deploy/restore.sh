#!/usr/bin/env bash
# Restore an archive made by backup.sh. Stop the web and scheduler services first.
#   deploy/restore.sh /backups/qishare-20261126T021500Z.tar.gz            # into DATABASE_URL / UPLOAD_DIR
#   deploy/restore.sh ARCHIVE --database postgresql+psycopg://.../qishare_check --uploads /tmp/check
# The archive's checksum is verified first; afterwards the row counts must equal the manifest's.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; [ -f /etc/qishare/env ] && . /etc/qishare/env; set +a
export FLASK_APP=wsgi
[ $# -ge 1 ] || { echo "usage: $0 ARCHIVE [--database URL] [--uploads DIR]" >&2; exit 2; }
exec "${VENV:-.venv}"/bin/flask backup restore "$@" --yes
