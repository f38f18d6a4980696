#!/usr/bin/env bash
# Nightly backup of the database and uploads into BACKUP_DIR, keeping KEEP_DAYS days of archives.
# Run from cron or a systemd timer on ONE machine (e.g. the scheduler machine):
#   15 2 * * *  qishare  /opt/qishare/deploy/backup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; [ -f /etc/qishare/env ] && . /etc/qishare/env; set +a
export FLASK_APP=wsgi
BACKUP_DIR="${BACKUP_DIR:-instance/backups}"
archive=$("${VENV:-.venv}"/bin/flask backup create --to "$BACKUP_DIR")
echo "backup written: $archive"
find "$BACKUP_DIR" -name 'qishare-*.tar.gz' -mtime +"${KEEP_DAYS:-30}" -delete
