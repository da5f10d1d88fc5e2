"""Texts of `klambi setup`, the guided start (merged into `bot.i18n.CATALOG`)."""

from __future__ import annotations

SETUP_TEXTS: dict[str, tuple[str, str]] = {
    "setup.welcome": (
        "Selamat datang di Ngobras Klambi. Jawab beberapa pertanyaan; Enter memakai jawaban dalam [kurung].",
        "Welcome to Ngobras Klambi. Answer a few questions; press Enter to take the answer in [brackets].",
    ),
    "setup.ask_database": ("Basis data", "Database"),
    "setup.bad_database": (
        "Basis data tidak dikenali: tulis sqlite:///klambi.db atau postgresql://pengguna@host/nama.",
        "Database not understood: write sqlite:///klambi.db or postgresql://user@host/name.",
    ),
    "setup.ask_kecamatan": ("Nama atau kode kecamatan", "Name or code of the kecamatan"),
    "setup.need_kecamatan": (
        "Kecamatan belum disebut: beri --kecamatan NAMA atau KODE (mis. --kecamatan 35.08.17).",
        "No kecamatan given: pass --kecamatan NAME or CODE (e.g. --kecamatan 35.08.17).",
    ),
    "setup.kecamatan_not_found": (
        'Tidak ada kecamatan bernama "{name}" di data Kepmendagri 2025: periksa ejaannya atau tulis kodenya.',
        'No kecamatan named "{name}" in the Kepmendagri 2025 data: check the spelling or give its code.',
    ),
    "setup.kecamatan_ambiguous": (
        '"{name}" cocok dengan {count} kecamatan: {choices}. Tulis kodenya, atau "nama, kabupaten".',
        '"{name}" matches {count} kecamatan: {choices}. Give its code, or "name, kabupaten".',
    ),
    "setup.several": ('"{name}" cocok dengan {count} kecamatan:', '"{name}" matches {count} kecamatan:'),
    "setup.more": (
        "  … dan {count} lagi: ketik 0 lalu tulis nama yang lebih lengkap.",
        "  … and {count} more: type 0 and give a fuller name.",
    ),
    "setup.choose": ("Pilih nomor (0: cari lagi)", "Choose a number (0: search again)"),
    "setup.choose_again": ("Cari lagi.", "Search again."),
    "setup.kecamatan_found": ("Kecamatan: {place}.", "Kecamatan: {place}."),
    "setup.ask_telegram": (
        "Token bot Telegram dari @BotFather (tidak ditampilkan; kosongkan bila tidak memakai Telegram)",
        "Telegram bot token from @BotFather (not shown; leave empty without Telegram)",
    ),
    "setup.telegram_token_shape": (
        "Token Telegram {token} tidak berbentuk token bot (angka, titik dua, lalu huruf dan angka).",
        "The Telegram token {token} is not shaped like a bot token (digits, a colon, then letters and digits).",
    ),
    "setup.telegram_refused": (
        "Telegram menolak token {token}: salin lagi dari @BotFather (/mybots → API Token).",
        "Telegram refused the token {token}: copy it again from @BotFather (/mybots → API Token).",
    ),
    "setup.telegram_unreachable": (
        "Telegram tidak terjangkau untuk memeriksa token ({reason}): periksa jaringan.",
        "Telegram could not be reached to check the token ({reason}): check the network.",
    ),
    "setup.telegram_ok": (
        "Telegram: bot @{username} (token {token}) diterima.",
        "Telegram: bot @{username} (token {token}) accepted.",
    ),
    "setup.use_whatsapp": ("Pakai WhatsApp (Cloud API dari Meta)?", "Use WhatsApp (Meta's Cloud API)?"),
    "setup.ask_wa.phone_number_id": ("WhatsApp: Phone number ID", "WhatsApp: phone number ID"),
    "setup.ask_wa.access_token": (
        "WhatsApp: access token (token permanen system user; tidak ditampilkan)",
        "WhatsApp: access token (a system user's permanent token; not shown)",
    ),
    "setup.ask_wa.app_secret": ("WhatsApp: App secret (tidak ditampilkan)", "WhatsApp: app secret (not shown)"),
    "setup.ask_wa.verify_token": (
        "WhatsApp: verify token untuk webhook (tidak ditampilkan; Enter: dibuat acak)",
        "WhatsApp: the webhook's verify token (not shown; Enter: a random one)",
    ),
    "setup.ask_wa.business_number": (
        "WhatsApp: nomor kantor (mis. 6281234567890)",
        "WhatsApp: the office's number (e.g. 6281234567890)",
    ),
    "setup.ask_wa.waba_id": (
        "WhatsApp: WhatsApp Business Account ID untuk templat (boleh kosong)",
        "WhatsApp: WhatsApp Business Account ID for templates (may be empty)",
    ),
    "setup.need_whatsapp_key": (
        "WhatsApp belum lengkap: beri --whatsapp-{option} (lihat klambi setup --help).",
        "WhatsApp is incomplete: pass --whatsapp-{option} (see klambi setup --help).",
    ),
    "setup.whatsapp_bad.phone_number_id": (
        "WhatsApp phone number ID: hanya angka (seperti yang ditampilkan WhatsApp Manager).",
        "WhatsApp phone number ID: digits only (as WhatsApp Manager shows it).",
    ),
    "setup.whatsapp_bad.waba_id": (
        "WhatsApp Business Account ID: hanya angka (seperti yang ditampilkan WhatsApp Manager).",
        "WhatsApp Business Account ID: digits only (as WhatsApp Manager shows it).",
    ),
    "setup.whatsapp_bad.business_number": (
        "Nomor WhatsApp kantor: angka internasional tanpa + (mis. 6281234567890).",
        "The office's WhatsApp number: international digits without + (e.g. 6281234567890).",
    ),
    "setup.whatsapp_bad": ("WhatsApp {key}: nilai tidak dikenali.", "WhatsApp {key}: value not understood."),
    "setup.whatsapp_unreachable": (
        "Graph API WhatsApp tidak terjangkau untuk memeriksa nomor ({reason}): periksa jaringan.",
        "WhatsApp's Graph API could not be reached to check the number ({reason}): check the network.",
    ),
    "setup.whatsapp_token_refused": (
        "Meta menolak access token {token}: buat lagi di Business Settings → System users.",
        "Meta refused the access token {token}: generate it again in Business Settings → System users.",
    ),
    "setup.whatsapp_number_refused": (
        "Meta tidak mengenal phone number ID {id}: {reason}",
        "Meta does not know the phone number ID {id}: {reason}",
    ),
    "setup.whatsapp_ok": (
        "WhatsApp: nomor {number} (access token {token}) diterima.",
        "WhatsApp: number {number} (access token {token}) accepted.",
    ),
    "setup.templates": (
        "WhatsApp: {approved} dari {total} templat disetujui (sisanya: klambi whatsapp templates push).",
        "WhatsApp: {approved} of {total} templates approved (the rest: klambi whatsapp templates push).",
    ),
    "setup.templates_unknown": (
        "WhatsApp: templat belum bisa diperiksa: {reason}",
        "WhatsApp: the templates could not be checked: {reason}",
    ),
    "setup.need_channel": (
        "Perlu paling sedikit satu aplikasi: --telegram-token, atau --whatsapp-phone-number-id dan kawan-kawannya.",
        "At least one app is needed: --telegram-token, or --whatsapp-phone-number-id and its companions.",
    ),
    "setup.ask_public_url": (
        "Alamat HTTPS publik untuk webhook dan dasbor (kosongkan bila belum ada)",
        "Public HTTPS address for webhooks and the dashboard (leave empty when there is none yet)",
    ),
    "setup.bad_public_url": (
        "Alamat publik harus diawali https:// dan nama host, tanpa ? atau # (mis. https://klambi.contoh.go.id).",
        "The public address must start with https:// and a host, without ? or # (e.g. https://klambi.example.go.id).",
    ),
    "setup.bad_url": (
        "{option}: harus diawali http:// atau https:// dan nama host.",
        "{option}: must start with http:// or https:// and a host.",
    ),
    "setup.ask_target": (
        "Target kinerja tahun ini (%)? (- : belum ada)",
        "This year's performance target (%)? (- : not yet)",
    ),
    "setup.ask_staf_name": (
        "Nama Kasi Pemerintahan yang akan diundang (boleh kosong)",
        "Name of the Kasi Pemerintahan to invite (may be empty)",
    ),
    "setup.overwrite": (
        "{path} sudah ada. Timpa? (salinan lama disimpan sebagai .bak)",
        "{path} already exists. Overwrite? (the old one is kept as .bak)",
    ),
    "setup.no_folder": ("Folder {folder} tidak ada: buat dulu.", "The folder {folder} does not exist."),
    "setup.imported": (
        "Basis data siap: Kecamatan {kecamatan} dengan {desa} desa baru ({unchanged} sudah ada).",
        "Database ready: Kecamatan {kecamatan} with {desa} new desa ({unchanged} already there).",
    ),
    "setup.target_set": ("Target {year}: {target}.", "Target {year}: {target}."),
    "setup.kept_copy": ("Salinan lama: {path}", "The old copy: {path}"),
    "setup.config_written": ("Konfigurasi ditulis: {path}", "Configuration written: {path}"),
    "setup.env_written": (
        "Rahasia ditulis: {path} (hanya terbaca pemiliknya; {keys})",
        "Secrets written: {path} (readable only by its owner; {keys})",
    ),
    "setup.env_header": (
        "Rahasia Ngobras Klambi, ditulis `klambi setup`. Jangan dibagikan, jangan dimasukkan ke git.\n"
        "Dibaca otomatis oleh klambi dan oleh systemd (EnvironmentFile=).",
        "Ngobras Klambi's secrets, written by `klambi setup`. Do not share them or put them in git.\n"
        "Read by klambi itself and by systemd (EnvironmentFile=).",
    ),
    "setup.kasi": ("Kasi Pemerintahan", "Kasi Pemerintahan"),
    "setup.invitation": (
        "Undangan untuk {name} (staf, {scope}) lewat {app}, sekali pakai, berlaku sampai {expires}:",
        "Invitation for {name} (staf, {scope}) by {app}, single use, valid until {expires}:",
    ),
    "setup.done": (
        "\nSelesai. Jalankan bot dengan:\n  {command}",
        "\nDone. Run the bot with:\n  {command}",
    ),
}
