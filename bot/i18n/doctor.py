"""Texts of `klambi doctor` and the dashboard's health page (merged into `bot.i18n.CATALOG`)."""

from __future__ import annotations

DOCTOR_TEXTS: dict[str, tuple[str, str]] = {
    # the checks' names
    "doctor.check.config": ("Konfigurasi", "Configuration"),
    "doctor.check.database": ("Basis data", "Database"),
    "doctor.check.telegram_token": ("Token Telegram", "Telegram token"),
    "doctor.check.telegram_webhook": ("Webhook Telegram", "Telegram webhook"),
    "doctor.check.whatsapp_number": ("Nomor WhatsApp", "WhatsApp number"),
    "doctor.check.whatsapp_webhook": ("Webhook WhatsApp", "WhatsApp webhook"),
    "doctor.check.whatsapp_templates": ("Templat WhatsApp", "WhatsApp templates"),
    "doctor.check.web": ("Alamat web", "Web address"),
    "doctor.check.clock": ("Zona waktu dan jam", "Time zone and clock"),
    "doctor.check.storage": ("Penyimpanan", "Storage"),
    "doctor.check.reading": ("Membaca dokumen", "Reading documents"),
    "doctor.check.backup": ("Cadangan", "Backup"),
    "doctor.check.reminders": ("Pengingat minggu ini", "Reminders this week"),
    "doctor.check.reachable": ("Orang yang bisa dihubungi", "People who can be reached"),
    # configuration
    "doctor.config.ok": ("{path} terbaca dan sah", "{path} read and valid"),
    "doctor.config.defaults": ("bawaan dan lingkungan (tanpa berkas)", "defaults and the environment (no file)"),
    "doctor.config.bad": ("{reason}", "{reason}"),
    "doctor.config.bad_fix": (
        "perbaiki kunci yang disebut, atau jalankan `klambi setup` lagi",
        "fix the key named, or run `klambi setup` again",
    ),
    "doctor.config.no_channel": (
        "tidak ada saluran: token Telegram dan WhatsApp kosong",
        "no channel: neither a Telegram token nor WhatsApp",
    ),
    "doctor.config.no_channel_fix": (
        "isi KLAMBI_TELEGRAM__TOKEN di klambi.env (`klambi setup`)",
        "set KLAMBI_TELEGRAM__TOKEN in klambi.env (`klambi setup`)",
    ),
    "doctor.config.missing": (
        "WhatsApp diatur tetapi [whatsapp] {key} kosong",
        "WhatsApp is on but [whatsapp] {key} is empty",
    ),
    "doctor.config.missing_fix": (
        "isi KLAMBI_WHATSAPP__{env} di klambi.env",
        "set KLAMBI_WHATSAPP__{env} in klambi.env",
    ),
    "doctor.config.no_secret": (
        "mode webhook tanpa [telegram] webhook_secret",
        "webhook mode without [telegram] webhook_secret",
    ),
    "doctor.config.no_secret_fix": (
        "isi KLAMBI_TELEGRAM__WEBHOOK_SECRET (misalnya dari `openssl rand -hex 32`)",
        "set KLAMBI_TELEGRAM__WEBHOOK_SECRET (for example from `openssl rand -hex 32`)",
    ),
    # database
    "doctor.database.ok": (
        "{kind} terhubung, skema terbaru ({revision})",
        "{kind} reachable, schema up to date ({revision})",
    ),
    "doctor.database.down": ("tidak bisa dihubungi: {reason}", "unreachable: {reason}"),
    "doctor.database.down_fix": (
        "periksa [database] url dan bahwa server basis data berjalan",
        "check [database] url and that the database server runs",
    ),
    "doctor.database.no_file": ("berkas {path} belum ada", "the file {path} does not exist yet"),
    "doctor.skip.no_database": ("tidak diperiksa: basis data belum siap", "not checked: the database is not ready"),
    "doctor.database.old": ("skema {revision}, terbaru {head}", "schema at {revision}, the latest is {head}"),
    "doctor.database.old_fix": ("jalankan `klambi db upgrade`", "run `klambi db upgrade`"),
    # telegram
    "doctor.skip.no_token": ("tidak diatur (tanpa token Telegram)", "not configured (no Telegram token)"),
    "doctor.skip.token_failed": ("tidak diperiksa: tokennya belum benar", "not checked: the token is not right yet"),
    "doctor.telegram.ok": ("@{username} menjawab", "@{username} answers"),
    "doctor.telegram.rejected": ("Telegram menolak token ({status})", "Telegram refuses the token ({status})"),
    "doctor.telegram.rejected_fix": (
        "minta token baru di @BotFather (/token) lalu isi KLAMBI_TELEGRAM__TOKEN di klambi.env",
        "get a new token from @BotFather (/token) and set KLAMBI_TELEGRAM__TOKEN in klambi.env",
    ),
    "doctor.unreachable": ("{host} tidak bisa dihubungi: {reason}", "{host} cannot be reached: {reason}"),
    "doctor.unreachable_fix": (
        "periksa sambungan internet mesin ini (dan alamat API di konfigurasi)",
        "check this machine's internet connection (and the API address in the configuration)",
    ),
    "doctor.webhook.polling_ok": ("mode polling, tidak ada webhook", "polling mode, no webhook"),
    "doctor.webhook.polling_set": (
        "mode polling, tetapi Telegram mengirim ke webhook {url}",
        "polling mode, but Telegram posts to the webhook {url}",
    ),
    "doctor.webhook.polling_set_fix": (
        'jalankan ulang `klambi run` (ia menghapus webhook), atau pakai [telegram] mode = "webhook"',
        'restart `klambi run` (it removes the webhook), or use [telegram] mode = "webhook"',
    ),
    "doctor.webhook.ok": ("webhook {url}", "webhook {url}"),
    "doctor.webhook.unset": (
        "mode webhook, tetapi Telegram tidak punya webhook",
        "webhook mode, but Telegram has no webhook",
    ),
    "doctor.webhook.mismatch": (
        "Telegram mengirim ke {url}, seharusnya {expected}",
        "Telegram posts to {url}, expected {expected}",
    ),
    "doctor.webhook.fix": (
        "jalankan ulang `klambi run` (ia memasang webhook saat mulai) dan periksa [web] public_url",
        "restart `klambi run` (it sets the webhook at start) and check [web] public_url",
    ),
    "doctor.webhook.error": ("Telegram gagal mengirim ke {url}: {error}", "Telegram fails to post to {url}: {error}"),
    "doctor.webhook.error_fix": (
        "periksa Caddy (HTTPS) dan bahwa `klambi run` berjalan",
        "check Caddy (HTTPS) and that `klambi run` runs",
    ),
    # whatsapp
    "doctor.skip.no_whatsapp": (
        "tidak diatur ([whatsapp] phone_number_id kosong)",
        "not configured ([whatsapp] phone_number_id is empty)",
    ),
    "doctor.skip.whatsapp_failed": (
        "tidak diperiksa: nomor atau token WhatsApp belum benar",
        "not checked: the WhatsApp number or token is not right yet",
    ),
    "doctor.whatsapp.ok": ("{number} ({name}), token diterima", "{number} ({name}), token accepted"),
    "doctor.whatsapp.rejected": ("Meta menolak: {reason}", "Meta refuses: {reason}"),
    "doctor.whatsapp.rejected_fix": (
        "periksa [whatsapp] phone_number_id dan token permanen system user (KLAMBI_WHATSAPP__ACCESS_TOKEN)",
        "check [whatsapp] phone_number_id and the system user's permanent token (KLAMBI_WHATSAPP__ACCESS_TOKEN)",
    ),
    "doctor.whatsapp.other_number": (
        "nomor id itu milik {number}, bukan {configured}",
        "that number id belongs to {number}, not {configured}",
    ),
    "doctor.whatsapp.other_number_fix": ("perbaiki [whatsapp] business_number", "fix [whatsapp] business_number"),
    "doctor.wa_webhook.no_public": (
        "Meta butuh alamat HTTPS publik, [web] public_url kosong",
        "Meta needs a public HTTPS address, [web] public_url is empty",
    ),
    "doctor.wa_webhook.no_public_fix": (
        'pasang Caddy di VPS atau terowongan dan isi [web] public_url (README, "Go live")',
        'put Caddy on a VPS or a tunnel and set [web] public_url (README, "Go live")',
    ),
    "doctor.wa_webhook.ok": (
        "{url} menjawab jabat tangan Meta; {subscription}",
        "{url} answers Meta's handshake; {subscription}",
    ),
    "doctor.wa_webhook.subscribed": ("aplikasi berlangganan WABA", "an app is subscribed to the WABA"),
    "doctor.wa_webhook.not_checked": (
        "langganan aplikasi tidak diperiksa (API tidak menjawabnya)",
        "the app's subscription not checked (the API does not answer it)",
    ),
    "doctor.wa_webhook.no_subscription": (
        "tidak ada aplikasi yang berlangganan WABA",
        "no app is subscribed to the WABA",
    ),
    "doctor.wa_webhook.no_subscription_fix": (
        "di Meta: WhatsApp > Configuration > Webhook, berlangganan kolom messages",
        "at Meta: WhatsApp > Configuration > Webhook, subscribe to the messages field",
    ),
    "doctor.wa_webhook.refused": (
        "{url} tidak menjawab jabat tangan Meta ({status})",
        "{url} does not answer Meta's handshake ({status})",
    ),
    "doctor.wa_webhook.refused_fix": (
        "pastikan `klambi run` berjalan di belakang Caddy dan verify token sama dengan di Meta",
        "make sure `klambi run` runs behind Caddy and the verify token is the one given to Meta",
    ),
    "doctor.templates.ok": ("{count} templat APPROVED", "{count} templates APPROVED"),
    "doctor.templates.no_waba": (
        "[whatsapp] waba_id kosong: templat tidak bisa diperiksa",
        "[whatsapp] waba_id is empty: templates cannot be checked",
    ),
    "doctor.templates.no_waba_fix": ("isi [whatsapp] waba_id", "set [whatsapp] waba_id"),
    "doctor.templates.not_approved": ("belum disetujui: {names}", "not approved: {names}"),
    "doctor.templates.not_approved_fix": (
        "`klambi whatsapp templates push`, lalu tunggu persetujuan Meta (`klambi whatsapp templates status`)",
        "`klambi whatsapp templates push`, then wait for Meta's approval (`klambi whatsapp templates status`)",
    ),
    "doctor.templates.failed": ("{reason}", "{reason}"),
    # web
    "doctor.web.ok": ("{url} menjawab", "{url} answers"),
    "doctor.web.down": ("{url} tidak menjawab: {reason}", "{url} does not answer: {reason}"),
    "doctor.web.down_fix": (
        "jalankan `klambi run` (systemctl start klambi) dan periksa Caddy serta [web] public_url",
        "run `klambi run` (systemctl start klambi) and check Caddy and [web] public_url",
    ),
    # clock
    "doctor.clock.ok": ("{zone}; {how}", "{zone}; {how}"),
    "doctor.clock.database": (
        "jam server basis data selisih {seconds} detik",
        "the database server's clock is {seconds} s apart",
    ),
    "doctor.clock.ntp_yes": ("jam disinkronkan NTP (timedatectl)", "the clock is NTP-synchronised (timedatectl)"),
    "doctor.clock.ntp_unknown": (
        "sinkronisasi NTP tidak diketahui (timedatectl tidak ada)",
        "NTP synchronisation unknown (no timedatectl)",
    ),
    "doctor.clock.ntp_no": (
        "jam tidak disinkronkan NTP (timedatectl)",
        "the clock is not NTP-synchronised (timedatectl)",
    ),
    "doctor.clock.fix": (
        "nyalakan sinkronisasi jam: `sudo timedatectl set-ntp true`",
        "turn clock synchronisation on: `sudo timedatectl set-ntp true`",
    ),
    # storage
    "doctor.reading.ok": (
        "teks PDF/DOCX, pindaian dan foto (Tesseract dengan data bahasa Indonesia)",
        "PDF/DOCX text, scans and photos (Tesseract with its Indonesian data)",
    ),
    "doctor.reading.off": ("dimatikan ([reading] enabled = false)", "turned off ([reading] enabled = false)"),
    "doctor.reading.text_only": (
        "hanya teks PDF/DOCX ([reading] ocr = false)",
        "PDF/DOCX text only ([reading] ocr = false)",
    ),
    "doctor.reading.no_tesseract": (
        "hanya teks PDF/DOCX: Tesseract dengan data bahasa Indonesia tidak terpasang, pindaian dan foto tidak dibaca "
        "(sudo apt install tesseract-ocr tesseract-ocr-ind)",
        "PDF/DOCX text only: Tesseract with its Indonesian data is not installed, scans and photos are not read "
        "(sudo apt install tesseract-ocr tesseract-ocr-ind)",
    ),
    "doctor.storage.ok": ("{path} bisa ditulis, {free} kosong", "{path} is writable, {free} free"),
    "doctor.storage.unwritable": ("{path} tidak bisa ditulis: {reason}", "{path} is not writable: {reason}"),
    "doctor.storage.unwritable_fix": (
        "buat folder itu dan berikan ke pengguna yang menjalankan klambi (`chown klambi: {path}`)",
        "create that folder and give it to the user running klambi (`chown klambi: {path}`)",
    ),
    "doctor.storage.full": ("{path}: hanya {free} kosong (batas {limit})", "{path}: only {free} free (limit {limit})"),
    "doctor.storage.full_fix": ("kosongkan disk (cadangan lama, log)", "free disk space (old backups, logs)"),
    # backup
    "doctor.backup.ok": ("{path}, {age} lalu", "{path}, {age} ago"),
    "doctor.backup.none": ("belum ada cadangan di {folder}", "no backup in {folder} yet"),
    "doctor.backup.old": (
        "cadangan terakhir {path}, {age} lalu (batas {limit} hari)",
        "the latest backup {path}, {age} ago (limit {limit} days)",
    ),
    "doctor.backup.fix": (
        "jalankan `klambi backup` dan pasang deploy/klambi-backup.timer",
        "run `klambi backup` and install deploy/klambi-backup.timer",
    ),
    "doctor.age.hours": ("{hours} jam", "{hours} h"),
    "doctor.age.days": ("{days} hari", "{days} days"),
    # reminders
    "doctor.skip.reminders_off": (
        "pengingat dimatikan ([reminders] enabled = false)",
        "reminders are off ([reminders] enabled = false)",
    ),
    "doctor.reminders.ok": ("{planned} pesan terencana dalam 7 hari", "{planned} messages planned in the next 7 days"),
    "doctor.reminders.none_due": (
        "tidak ada dokumen terbuka yang diingatkan dalam 7 hari",
        "no open document is due a reminder in the next 7 days",
    ),
    "doctor.reminders.missing": (
        "{due} dokumen terbuka menunggu pengingat minggu ini, tetapi tidak ada yang terencana",
        "{due} open documents are due a reminder this week, but nothing is planned",
    ),
    "doctor.reminders.fix": (
        "pastikan `klambi run` berjalan (ia merencanakan pengingat tiap jam) dan [reminders] benar",
        "make sure `klambi run` runs (it plans reminders every hour) and [reminders] is right",
    ),
    # reachable
    "doctor.reachable.ok": (
        "{people} orang berperan, semua bisa dihubungi",
        "{people} people with a role, all reachable",
    ),
    "doctor.reachable.some": ("{count} tidak bisa dihubungi: {names}", "{count} cannot be reached: {names}"),
    "doctor.reachable.fix": (
        "minta mereka membuka bot lagi (/start atau pesan WhatsApp); `klambi person list`",
        "ask them to open the bot again (/start or a WhatsApp message); `klambi person list`",
    ),
    # the notice to admins, and the CLI
    "doctor.notice": (
        "⚠️ Pemeriksaan klambi gagal: {label}: {detail}\nPerbaikan: {fix}",
        "⚠️ A klambi check failed: {label}: {detail}\nFix: {fix}",
    ),
    "doctor.notified": ("Admin diberi tahu: {count} pesan.", "Admins told: {count} messages."),
    "doctor.summary_ok": ("Semua pemeriksaan lolos.", "Every check passed."),
    "doctor.summary_failed": ("{count} pemeriksaan gagal.", "{count} checks failed."),
}
