#!/bin/sh
# Encrypt the newest klambi backup with GnuPG to a public key and copy it off the machine (klambi-backup.service runs
# it after `klambi backup`). Only the holder of the private key — kept off this machine — can read the copy.
#
# Read from the environment (klambi.env, through the unit's EnvironmentFile=):
#   KLAMBI_OFFSITE_RECIPIENT  the GnuPG key to encrypt to (a fingerprint or an e-mail), its public key imported once:
#                             gpg --import kantor-backup.pub.asc   (as the klambi user, GNUPGHOME below)
#   KLAMBI_OFFSITE_TARGET     where the copy goes: an rsync/scp destination (backup@host.example:klambi/) or a folder
#                             on this machine (a mounted USB disk or network share: /mnt/cadangan)
#   KLAMBI_BACKUP__PATH       the backup folder, as [backup] path (default: backups, in the working directory)
#   KLAMBI_BACKUP_KEEP        how many backups to keep in that folder (default 14; older ones are deleted here only)
#   GNUPGHOME                 the GnuPG home holding the public key (the unit sets /var/lib/klambi/.gnupg)
set -eu

say() { printf 'backup-offsite: %s\n' "$*" >&2; }

recipient=${KLAMBI_OFFSITE_RECIPIENT:-}
target=${KLAMBI_OFFSITE_TARGET:-}
folder=${KLAMBI_BACKUP__PATH:-backups}
keep=${KLAMBI_BACKUP_KEEP:-14}
[ -n "$recipient" ] || { say "KLAMBI_OFFSITE_RECIPIENT kosong: isi kunci GnuPG penerima di klambi.env"; exit 2; }
[ -n "$target" ] || { say "KLAMBI_OFFSITE_TARGET kosong: isi tujuan salinan di klambi.env"; exit 2; }

newest=$(ls -1 "$folder"/klambi-backup-*.tar.gz 2>/dev/null | sort | tail -n 1)
[ -n "$newest" ] || { say "tidak ada cadangan di $folder: jalankan klambi backup dulu"; exit 1; }

name=$(basename "$newest").gpg
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
gpg --batch --yes --quiet --trust-model always --recipient "$recipient" --output "$scratch/$name" --encrypt "$newest"

case "$target" in
    *:*)  # another machine: rsync when it is installed, else scp
        if command -v rsync >/dev/null 2>&1; then
            rsync --quiet --times --partial "$scratch/$name" "$target"
        else
            scp -q -B "$scratch/$name" "$target"
        fi
        ;;
    *)
        mkdir -p "$target"
        cp "$scratch/$name" "$target/$name.part"
        mv "$target/$name.part" "$target/$name"
        ;;
esac
say "$name disalin ke $target"

# keep the newest $keep backups here (the copies off the machine are pruned there, by whoever owns that place)
ls -1 "$folder"/klambi-backup-*.tar.gz | sort | head -n "-$keep" | while read -r old; do rm -f "$old"; done
