"""Everything a person reads, in Bahasa Indonesia first and English second, and the way dates and numbers look.

Dates read "30 September 2024" and numbers "94,44%" in Indonesian (Babel); machine output (JSON, CSV) keeps ISO
dates and a decimal dot. Figures arrive here already rounded half up: formatting never rounds again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from models.status import ObligationStatus

Language = Literal["id", "en"]

CATALOG: dict[str, tuple[str, str]] = {
    # --- input errors (one line each) ---
    "error.prefix": ("Galat", "Error"),
    "error.aborted": ("Dibatalkan.", "Aborted."),
    "error.bad_now": (
        "--now: '{value}' bukan waktu. Tulis seperti 2025-01-15T09:00+07:00.",
        "--now: '{value}' is not a moment. Write it like 2025-01-15T09:00+07:00.",
    ),
    "error.unknown_desa": (
        "Desa {kode} belum terdaftar. Muat dulu dengan `klambi villages import --area {kecamatan}`.",
        "Desa {kode} is not loaded. Load it first with `klambi villages import --area {kecamatan}`.",
    ),
    "error.not_a_desa_code": (
        "{kode} bukan kode desa (contoh: 35.08.17.2001).",
        "{kode} is not a desa code (for example 35.08.17.2001).",
    ),
    "error.kelurahan": (
        "{kode} ({nama}) adalah kelurahan: kelurahan tidak menyusun RKPDes, APBDes, maupun LPPDes.",
        "{kode} ({nama}) is a kelurahan: kelurahan make no RKPDes, APBDes or LPPDes.",
    ),
    "error.unknown_kecamatan": (
        "Kecamatan {kode} belum terdaftar. Muat dulu dengan `klambi villages import --area {kode}`.",
        "Kecamatan {kode} is not loaded. Load it first with `klambi villages import --area {kode}`.",
    ),
    "error.unknown_kecamatan_not_in_reference": (
        "Kecamatan {kode} belum terdaftar dan tidak ada dalam data Kepmendagri 2025: periksa kodenya, atau muat "
        "desanya dari berkas CSV `kode,nama` (`klambi villages import BERKAS.csv`).",
        "Kecamatan {kode} is not loaded and not in the Kepmendagri 2025 reference data: check the code, or load its "
        "desa from a `kode,nama` CSV file (`klambi villages import FILE.csv`).",
    ),
    "error.unknown_desa_not_in_reference": (
        "Desa {kode} belum terdaftar dan tidak ada dalam data Kepmendagri 2025: periksa kodenya, atau muat desanya "
        "dari berkas CSV `kode,nama` (`klambi villages import BERKAS.csv`).",
        "Desa {kode} is not loaded and not in the Kepmendagri 2025 reference data: check the code, or load it from a "
        "`kode,nama` CSV file (`klambi villages import FILE.csv`).",
    ),
    "villages.kelurahan_only": (
        "Perhatian: Kecamatan {names} hanya berisi kelurahan. Kelurahan tidak menyusun RKPDes, APBDes maupun "
        "LPPDes, jadi tabel dan indikator kecamatan itu kosong.",
        "Note: Kecamatan {names} holds only kelurahan. Kelurahan make no RKPDes, APBDes or LPPDes, so that "
        "kecamatan's tables and indicator stay empty.",
    ),
    "cli.kelurahan_only": (
        "Kecamatan {kecamatan} ({kode}) hanya berisi kelurahan: tidak ada dokumen desa di sini.",
        "Kecamatan {kecamatan} ({kode}) holds only kelurahan: there are no village documents here.",
    ),
    "history.legend": (
        "* capaian terbitan tidak sama dengan realisasi ÷ target ({computed}).",
        "* the published capaian differs from realisasi ÷ target ({computed}).",
    ),
    "error.not_a_kecamatan_code": (
        "{kode} bukan kode kecamatan (contoh: 35.08.17).",
        "{kode} is not a kecamatan code (for example 35.08.17).",
    ),
    "error.unknown_area": (
        "Wilayah {kode} tidak ada dalam data Kepmendagri 2025. Gunakan kode provinsi (35), kabupaten (35.08) "
        "atau kecamatan (35.08.17).",
        "Area {kode} is not in the Kepmendagri 2025 reference data. Use a province (35), kabupaten (35.08) "
        "or kecamatan (35.08.17) code.",
    ),
    "error.unknown_document": (
        "Dokumen {code} tidak dikenal. Pilihan: {choices}.",
        "Unknown document {code}. Choose one of: {choices}.",
    ),
    "error.not_a_date": (
        "{option}: '{value}' bukan tanggal. Tulis seperti 2024-09-27.",
        "{option}: '{value}' is not a date. Write it like 2024-09-27.",
    ),
    "error.not_a_date_option": (
        "{option}: '{value}' bukan tanggal. Tulis seperti 2024-09-27, 27/09/2024 atau 27 September 2024.",
        "{option}: '{value}' is not a date. Write it like 2024-09-27, 27/09/2024 or 27 September 2024.",
    ),
    "error.year_out_of_range": (
        "{option}: tahun {value} di luar rentang {low}–{high}.",
        "{option}: year {value} is outside {low}–{high}.",
    ),
    "error.not_a_year": ("{option}: '{value}' bukan tahun.", "{option}: '{value}' is not a year."),
    "error.future_date": (
        "{option}: {value} belum terjadi (hari ini {today}).",
        "{option}: {value} is in the future (today is {today}).",
    ),
    "error.penetapan_after_received": (
        "Tanggal penetapan {penetapan} sesudah tanggal diterima {diterima}: "
        "dokumen tidak bisa diterima sebelum ditetapkan.",
        "Tanggal penetapan {penetapan} is after the date received {diterima}: "
        "a document cannot arrive before it exists.",
    ),
    "error.received_required": (
        "{option} wajib untuk {doc}: ketepatan waktunya dinilai dari tanggal diterima kecamatan.",
        "{option} is required for {doc}: its timeliness is judged by the date the kecamatan received it.",
    ),
    "error.reason_required": (
        'Dokumen yang ditolak perlu alasan: tambahkan --alasan "...".',
        'A rejected document needs a reason: add --alasan "...".',
    ),
    "error.reason_only_when_rejected": (
        "--alasan hanya untuk dokumen yang ditolak.",
        "--alasan is only for a rejected document.",
    ),
    "error.not_a_number": (
        "{option}: '{value}' bukan angka (contoh: 94,44 atau 94.44).",
        "{option}: '{value}' is not a number (for example 94,44 or 94.44).",
    ),
    "error.number_out_of_range": (
        "{option}: {value} harus di antara {low} dan {high}, paling banyak dua desimal.",
        "{option}: {value} must lie between {low} and {high}, with at most two decimals.",
    ),
    "error.target_missing": (
        "Isi paling sedikit satu target: --awal, --perubahan atau --renstra.",
        "Give at least one target: --awal, --perubahan or --renstra.",
    ),
    "error.file_not_found": ("Berkas {path} tidak ditemukan.", "File {path} not found."),
    "error.file_type": (
        "Berkas {path} bukan PDF, foto (JPEG/PNG) atau DOCX.",
        "File {path} is not a PDF, a photo (JPEG/PNG) or a DOCX.",
    ),
    "error.file_empty": ("Berkas {path} kosong.", "File {path} is empty."),
    "error.text_too_long": (
        "{option} terlalu panjang (paling banyak {limit} karakter).",
        "{option} is too long (at most {limit} characters).",
    ),
    "error.csv_header": (
        "{path}: kolom harus `kode,nama` (baris pertama), ditemukan: {found}.",
        "{path}: the columns must be `kode,nama` (first row), found: {found}.",
    ),
    "error.csv_rows": (
        "{path}: {count} baris salah, tidak ada yang disimpan:",
        "{path}: {count} bad rows, nothing was written:",
    ),
    "error.csv_row_code": ("baris {row}: kode '{kode}' tidak dikenali", "row {row}: code '{kode}' is not a code"),
    "error.csv_row_name": ("baris {row}: nama kosong atau terlalu panjang", "row {row}: name empty or too long"),
    "error.csv_row_parent": (
        "baris {row}: induk {parent} dari {kode} tidak ada di berkas, di basis data, maupun di data rujukan",
        "row {row}: the parent {parent} of {kode} is not in the file, the database or the reference data",
    ),
    "error.csv_row_duplicate": ("baris {row}: kode {kode} muncul dua kali", "row {row}: code {kode} appears twice"),
    "error.area_or_file": (
        "Sebutkan --area KODE atau sebuah berkas CSV (tidak keduanya).",
        "Give --area CODE or a CSV file (not both).",
    ),
    "error.no_token": (
        "Belum ada saluran: isi KLAMBI_TELEGRAM__TOKEN (Telegram) atau KLAMBI_WHATSAPP__PHONE_NUMBER_ID dan "
        "kawan-kawannya (WhatsApp, lihat [whatsapp] di config.example.toml), atau coba dulu `klambi demo`.",
        "No channel yet: set KLAMBI_TELEGRAM__TOKEN (Telegram) or KLAMBI_WHATSAPP__PHONE_NUMBER_ID and the rest "
        "of [whatsapp] (see config.example.toml), or try `klambi demo` first, which needs neither.",
    ),
    "error.no_username": (
        "Nama bot tidak diketahui: isi [telegram] username (atau token) di konfigurasi. Tidak ada undangan yang "
        "dibuat.",
        "The bot's name is unknown: set [telegram] username (or the token) in the configuration. No invitation was "
        "made.",
    ),
    "error.webhook_secret": (
        "Mode webhook perlu kata sandi rahasia: isi KLAMBI_TELEGRAM__WEBHOOK_SECRET (atau [telegram] webhook_secret), "
        "16 sampai 256 huruf, angka, - atau _.",
        "Webhook mode needs a secret token: set KLAMBI_TELEGRAM__WEBHOOK_SECRET (or [telegram] webhook_secret), "
        "16 to 256 letters, digits, - or _.",
    ),
    "error.one_place": (
        "Sebutkan satu tempat saja: --desa, --kecamatan atau --kabupaten.",
        "Give one place only: --desa, --kecamatan or --kabupaten.",
    ),
    "error.database": (
        "Basis data tidak bisa dipakai ({reason}). Periksa [database] url, lalu jalankan `klambi db upgrade`.",
        "The database cannot be used ({reason}). Check [database] url, then run `klambi db upgrade`.",
    ),
    "error.not_a_day_off": ("{day} sudah hari kerja.", "{day} is already a working day."),
    "error.weekend": (
        "{day} jatuh pada akhir pekan dan tetap libur.",
        "{day} falls on a weekend and stays a day off.",
    ),
    # --- chat: general ---
    "chat.error": (
        "Maaf, ada gangguan di sistem kami. Coba lagi sebentar lagi ya. Tidak ada data yang hilang.",
        "Sorry, something went wrong on our side. Please try again in a moment. Nothing was lost.",
    ),
    "chat.busy": (
        "Maaf, sistem sedang sibuk. Coba kirim lagi sebentar lagi ya.",
        "Sorry, the system is busy. Please send it again in a moment.",
    ),
    "flood.warning": (
        "Pelan-pelan ya 🙏 Pesan Anda datang terlalu cepat, jadi {seconds} detik ke depan tidak saya balas. Setelah "
        "itu silakan lanjutkan.",
        "Slow down, please 🙏 Your messages are coming too fast, so I will not answer them for the next {seconds} "
        "seconds. Then please carry on.",
    ),
    "chat.not_allowed": (
        "Maaf, Anda tidak punya hak untuk itu. Ketik /bantuan untuk melihat yang bisa Anda lakukan.",
        "Sorry, you are not allowed to do that. Type /bantuan to see what you can do.",
    ),
    "chat.unknown_person": (
        "Halo! Akun ini belum terdaftar di Ngobras Klambi. Minta tautan undangan ke Kasi Pemerintahan kecamatan, "
        "lalu buka tautannya, atau kirim ke sini: DAFTAR lalu kode undangannya.",
        "Hello! This account is not registered with Ngobras Klambi yet. Ask the kecamatan's Kasi Pemerintahan for an "
        "invitation link, then open it, or send here: DAFTAR and the invitation code.",
    ),
    "chat.not_understood": (
        "Maaf, saya belum paham. Ketik menu atau bantuan untuk melihat yang bisa Anda lakukan.",
        "Sorry, I did not understand. Type menu or bantuan to see what you can do.",
    ),
    "chat.unsupported_message": (
        "Maaf, saya hanya bisa membaca teks, dokumen (PDF/DOCX), dan foto.",
        "Sorry, I can only read text, documents (PDF/DOCX) and photos.",
    ),
    "chat.stale_button": (
        "Tombol ini sudah tidak berlaku. Mulai lagi dengan /kirim atau /bantuan.",
        "This button is no longer valid. Start again with /kirim or /bantuan.",
    ),
    "chat.cancelled": ("Dibatalkan. Tidak ada yang dikirim.", "Cancelled. Nothing was sent."),
    "chat.files_chosen": ("➡️ {count} berkas", "➡️ {count} files"),
    "chat.nothing_to_cancel": ("Tidak ada yang sedang berjalan.", "Nothing is in progress."),
    "chat.date_not_understood": (
        'Maaf, "{value}" bukan tanggal yang saya kenali. Contoh: 27/09/2024 atau 27 September 2024.',
        'Sorry, "{value}" is not a date I recognise. For example: 27/09/2024 or 27 September 2024.',
    ),
    "button.cancel": ("Batal", "Cancel"),
    "button.today": ("Hari ini", "Today"),
    "button.yesterday": ("Kemarin", "Yesterday"),
    "button.skip": ("Lewati", "Skip"),
    "button.next": ("Lanjut ➡️", "Next ➡️"),
    "button.send": ("✅ Kirim", "✅ Send"),
    "button.accept": ("✅ Terima", "✅ Accept"),
    "button.reject": ("❌ Tolak", "❌ Reject"),
    "button.kirim": ("📤 Kirim dokumen", "📤 Send a document"),
    # --- onboarding ---
    "start.welcome": (
        "Selamat datang, {name}! Anda terdaftar sebagai {role} untuk {scope}.",
        "Welcome, {name}! You are registered as {role} for {scope}.",
    ),
    "start.already": (
        "Anda memang sudah terdaftar sebagai {role} untuk {scope}.",
        "You already are registered as {role} for {scope}.",
    ),
    "start.hello": ("Halo lagi, {name}!", "Hello again, {name}!"),
    "error.invitation_unknown": (
        "Kode undangan itu tidak dikenal. Periksa tautannya, atau minta tautan baru ke kecamatan.",
        "That invitation code is unknown. Check the link, or ask the kecamatan for a new one.",
    ),
    "error.invitation_other_channel": (
        "Kode undangan itu untuk {channel}. Kirim kode itu dari aplikasi {channel} Anda.",
        "That invitation code is for {channel}. Send it from your {channel} app.",
    ),
    "error.contact_linked_elsewhere": (
        "Akun ini sudah terhubung dengan orang lain di bot. Bila ini keliru, hubungi admin kecamatan.",
        "This account is already linked to someone else in the bot. If that is a mistake, contact the kecamatan's "
        "admin.",
    ),
    "error.invitation_used": (
        "Undangan itu sudah dipakai. Minta tautan baru ke kecamatan bila Anda belum terdaftar.",
        "That invitation was already used. Ask the kecamatan for a new link if you are not registered.",
    ),
    "error.invitation_expired": (
        "Undangan itu sudah kedaluwarsa. Minta tautan baru ke kecamatan.",
        "That invitation has expired. Ask the kecamatan for a new link.",
    ),
    "error.start_throttled": (
        "Terlalu banyak kode yang salah. Coba lagi {minutes} menit lagi.",
        "Too many wrong codes. Try again in {minutes} minutes.",
    ),
    "error.not_allowed": ("Maaf, Anda tidak punya hak untuk itu.", "Sorry, you are not allowed to do that."),
    "error.role_needs_desa": (
        "Peran {role} berlaku untuk satu desa: sebutkan --desa KODE.",
        "The role {role} is for one desa: give --desa CODE.",
    ),
    "error.role_needs_kecamatan": (
        "Peran {role} berlaku untuk satu kecamatan: sebutkan --kecamatan KODE.",
        "The role {role} is for one kecamatan: give --kecamatan CODE.",
    ),
    "error.username_token_refused": (
        "Telegram menolak token ini (getMe): periksa [telegram] token, atau isi [telegram] username. Tidak ada "
        "undangan yang dibuat.",
        "Telegram refused this token (getMe): check [telegram] token, or set [telegram] username. No invitation was "
        "made.",
    ),
    "error.username_unreachable": (
        "Telegram tidak terjangkau untuk menanyakan nama bot ({reason}): periksa jaringan, atau isi [telegram] "
        "username. Tidak ada undangan yang dibuat.",
        "Telegram could not be reached to ask the bot's name ({reason}): check the network, or set [telegram] "
        "username. No invitation was made.",
    ),
    "error.bad_expiry": (
        "--expires '{value}' tidak dikenali: tulis seperti 7d, 12h atau 30m (paling lama 90d).",
        "--expires '{value}' is not understood: write it like 7d, 12h or 30m (at most 90d).",
    ),
    "invite.created": (
        "Undangan {role} untuk {scope}, berlaku sampai {expires}:\n{link}\nKode: {code}",
        "Invitation as {role} for {scope}, valid until {expires}:\n{link}\nCode: {code}",
    ),
    "invite.forward": (
        "Teruskan tautan ini kepada orangnya (mis. lewat WhatsApp). Sekali pakai.",
        "Forward this link to the person (for example by WhatsApp). It works once.",
    ),
    "invite.code_line": ("Kode: {code}", "Code: {code}"),
    "invite.summary": (
        "Undangan {role} untuk {scope}, berlaku sampai {expires}. Sekali pakai.",
        "Invitation as {role} for {scope}, valid until {expires}. It works once.",
    ),
    "invite.qr_written": ("Kode QR tautan ini: {path}", "The link's QR code: {path}"),
    "invite.choose_channel": ("Undangan untuk aplikasi apa?", "An invitation for which app?"),
    "invite.telegram_no_link": (
        "(buka bot Telegram kecamatan, lalu kirim: /start {code})",
        "(open the kecamatan's Telegram bot, then send: /start {code})",
    ),
    "invite.whatsapp_no_link": (
        "(kirim ke nomor WhatsApp kecamatan: DAFTAR {code})",
        "(send to the kecamatan's WhatsApp number: DAFTAR {code})",
    ),
    "error.no_business_number": (
        "Nomor WhatsApp kantor belum diatur: isi [whatsapp] business_number (mis. 6281234567890). Tidak ada undangan "
        "yang dibuat.",
        "The office's WhatsApp number is not set: set [whatsapp] business_number (for example 6281234567890). No "
        "invitation was made.",
    ),
    "error.qr_not_png": (
        "Berkas QR harus berakhiran .png: {path}. Tidak ada undangan yang dibuat.",
        "The QR file must end in .png: {path}. No invitation was made.",
    ),
    "error.qr_not_writable": (
        "Berkas QR {path} tidak bisa ditulis ({reason}). Tidak ada undangan yang dibuat.",
        "The QR file {path} cannot be written ({reason}). No invitation was made.",
    ),
    "invite.choose_role": ("Undang sebagai apa?", "Invite as what?"),
    "invite.choose_desa": ("Untuk desa mana?", "For which desa?"),
    "invite.type_place": (
        "Ketik kode kecamatannya (mis. 35.08.17).",
        "Type the kecamatan code (for example 35.08.17).",
    ),
    "role.sekdes": ("Sekretaris Desa", "village secretary"),
    "role.pendamping": ("Pendamping Desa", "village facilitator"),
    "role.staf": ("Staf Kecamatan", "kecamatan staff"),
    "role.camat": ("Camat", "camat"),
    "role.admin": ("Admin", "admin"),
    "help.title": ("Yang bisa Anda lakukan:", "What you can do:"),
    "help.stranger": (
        "Ngobras Klambi membantu desa mengirim RKPDes, APBDes dan LPPDes ke kecamatan tepat waktu. Untuk memakai "
        "bot ini Anda perlu tautan undangan dari kecamatan. Sudah punya kode undangan? Kirim DAFTAR lalu kodenya.",
        "Ngobras Klambi helps villages send their RKPDes, APBDes and LPPDes to the kecamatan on time. To use it you "
        "need an invitation link from the kecamatan. Have an invitation code? Send DAFTAR and the code.",
    ),
    "command.start": ("Mulai", "Start"),
    "command.bantuan": ("Bantuan", "Help"),
    "command.hubungkan": ("Hubungkan aplikasi lain (mis. WhatsApp)", "Link another app (e.g. WhatsApp)"),
    "hubungkan.code": (
        "Kode untuk menghubungkan {channel} ke akun Anda (berlaku sampai {expires}, sekali pakai):\n\n{code}\n\n"
        "Dari {channel}, kirim ke bot: hubungkan {code}\n{link}\nSetelah itu pemberitahuan datang ke aplikasi yang "
        "terakhir Anda pakai untuk menulis ke bot.",
        "A code to link {channel} to your account (valid until {expires}, single use):\n\n{code}\n\n"
        "From {channel}, send the bot: hubungkan {code}\n{link}\nFrom then on, notices go to the app you last used "
        "to write to the bot.",
    ),
    "invite.other_app": (
        "(dari aplikasi itu, kirim ke bot: hubungkan {code})",
        "(from that app, send the bot: hubungkan {code})",
    ),
    "error.invite_needs_role": (
        "Sebutkan --role (pilih dari: {roles}) dan tempatnya, atau --person ID untuk menautkan akun aplikasi lain "
        "ke orang yang sudah ada.",
        "Give --role (one of: {roles}) and its place, or --person ID to link another app's account to someone "
        "already registered.",
    ),
    "error.person_without_role": (
        "Orang #{person} tidak punya peran aktif: undang dengan --role dan tempatnya.",
        "Person #{person} holds no role: invite with --role and its place.",
    ),
    "command.kirim": ("Kirim dokumen desa", "Send a village document"),
    "command.batal": ("Batalkan yang sedang berjalan", "Cancel what is in progress"),
    "command.status": ("Status dokumen", "Document status"),
    "command.indikator": ("Indikator kecamatan", "The kecamatan's indicator"),
    "command.verifikasi": ("Dokumen yang menunggu verifikasi", "Documents awaiting verification"),
    "command.undang": ("Buat tautan undangan", "Create an invitation link"),
    # --- submission ---
    "kirim.choose": ("Dokumen mana yang mau dikirim?", "Which document do you want to send?"),
    "kirim.none_open": (
        "Semua dokumen desa Anda sudah diterima kecamatan. Terima kasih! 🙏",
        "Every document of your desa has been accepted by the kecamatan. Thank you! 🙏",
    ),
    "kirim.option": ("{doc} TA {ta} · batas {deadline}{mark}", "{doc} FY {ta} · due {deadline}{mark}"),
    "kirim.mark_waiting": (" ⏳", " ⏳"),
    "kirim.mark_rejected": (" ❌ perlu perbaikan", " ❌ needs a correction"),
    "kirim.send_file": (
        "Kirim berkas {doc} TA {ta} Desa {desa}: PDF, DOCX, atau foto halaman-halamannya (paling besar {limit} MB).",
        "Send the file of {doc} FY {ta} of Desa {desa}: a PDF, a DOCX, or photos of its pages (at most {limit} MB).",
    ),
    "kirim.file_received": (
        "📎 Halaman diterima ({count} berkas). Kirim halaman berikutnya, atau tekan Lanjut.",
        "📎 Page received ({count} files). Send the next page, or press Next.",
    ),
    "kirim.too_big": (
        "Berkas ini terlalu besar ({size} MB); batasnya {limit} MB. Kirim sebagai foto per halaman, atau perkecil "
        "PDF-nya (pindai dengan resolusi lebih rendah).",
        "This file is too big ({size} MB); the limit is {limit} MB. Send photos of the pages, or make the PDF smaller "
        "(scan at a lower resolution).",
    ),
    "kirim.over_limit": (
        "Berkas ini lebih besar dari batas {limit} MB. Kirim sebagai foto per halaman, atau perkecil PDF-nya (pindai "
        "dengan resolusi lebih rendah).",
        "This file is larger than the limit of {limit} MB. Send photos of the pages, or make the PDF smaller (scan at "
        "a lower resolution).",
    ),
    "kirim.one_kind": (
        "Satu dokumen dikirim sebagai satu PDF/DOCX, atau sebagai foto halaman-halamannya, tidak dicampur. Kirim foto "
        "halaman berikutnya atau tekan Lanjut; untuk mengirim PDF/DOCX saja, tekan Batal lalu mulai lagi.",
        "A document comes as one PDF/DOCX or as photos of its pages, not mixed. Send the next page photo or press "
        "Next; to send a PDF/DOCX instead, press Cancel and start again.",
    ),
    "kirim.too_many_files": (
        "Paling banyak {limit} foto halaman untuk satu dokumen. Tekan Lanjut untuk meneruskan dengan halaman yang "
        "sudah diterima.",
        "At most {limit} page photos for one document. Press Next to go on with the pages received.",
    ),
    "kirim.wrong_type": (
        "Jenis berkas ini tidak bisa diterima. Kirim PDF, DOCX, atau foto (JPEG/PNG).",
        "This kind of file cannot be accepted. Send a PDF, a DOCX, or photos (JPEG/PNG).",
    ),
    "kirim.download_failed": (
        "Berkas gagal diunduh (sinyal lemah?). Coba kirim lagi ya.",
        "The file could not be downloaded (weak signal?). Please send it again.",
    ),
    "kirim.ask_date": (
        "Tanggal penetapan dokumen ini? Ketik tanggalnya (mis. 27/09/2024) atau pilih:",
        "When was this document established? Type the date (for example 27/09/2024) or choose:",
    ),
    "kirim.ask_nomor": (
        "Nomor dokumennya? (mis. 5 Tahun 2024). Tekan Lewati bila tidak ada.",
        "Its number? (for example 5 Tahun 2024). Press Skip if there is none.",
    ),
    "kirim.summary": (
        "Periksa dulu:\n• Dokumen: {doc} TA {ta}\n• Desa: {desa}\n• Berkas: {files}\n• Tanggal penetapan: {penetapan}\n"
        "• Nomor: {nomor}\nSudah benar? Tekan Kirim.",
        "Please check:\n• Document: {doc} FY {ta}\n• Desa: {desa}\n• Files: {files}\n• Established: {penetapan}\n"
        "• Number: {nomor}\nAll correct? Press Send.",
    ),
    "kirim.sent": ("✔ Terkirim.", "✔ Sent."),
    "kirim.expect_file": ("Silakan kirim berkasnya dulu (PDF, DOCX, atau foto).", "Please send the file first."),
    "kirim.expect_buttons": ("Tekan Kirim atau Batal di atas.", "Press Send or Cancel above."),
    "error.future_date_chat": (
        "Tanggal itu belum terjadi. Tulis tanggal penetapan yang sebenarnya.",
        "That date has not come yet. Give the real date it was established.",
    ),
    "error.already_accepted": (
        "Dokumen ini sudah diterima kecamatan; tidak perlu dikirim lagi.",
        "This document was already accepted; no need to send it again.",
    ),
    "error.no_file": ("Belum ada berkas yang dikirim.", "No file was sent yet."),
    "receipt.text": (
        "🧾 Tanda terima {number}\n{doc} TA {ta} · Desa {desa} · versi {version}\nDiterima {received} {zone}\n"
        "Ditetapkan {penetapan} · Nomor {nomor}\nBatas waktu {deadline}: {verdict}\nKecamatan akan memeriksanya; "
        "Anda akan diberi tahu hasilnya.",
        "🧾 Receipt {number}\n{doc} FY {ta} · Desa {desa} · version {version}\nReceived {received} {zone}\n"
        "Established {penetapan} · Number {nomor}\nLegal deadline {deadline}: {verdict}\nThe kecamatan will check it; "
        "you will hear the result.",
    ),
    "receipt.on_time": ("✅ tepat waktu bila diterima", "✅ on time if accepted"),
    "receipt.late": ("⚠️ melewati batas waktu", "⚠️ past the legal deadline"),
    # --- verification ---
    "verif.alert": (
        "📥 Dokumen masuk: {doc} TA {ta} · Desa {desa} · versi {version}\nDari {sender} · diterima {received} {zone}\n"
        "Ditetapkan {penetapan} · Nomor {nomor} · {files} berkas\n{verdict}",
        "📥 New document: {doc} FY {ta} · Desa {desa} · version {version}\nFrom {sender} · received {received} {zone}\n"
        "Established {penetapan} · Number {nomor} · {files} files\n{verdict}",
    ),
    "verif.accepted_by": ("✅ Diterima oleh {name}.", "✅ Accepted by {name}."),
    "verif.rejected_by": ("❌ Ditolak oleh {name}: {reason}", "❌ Rejected by {name}: {reason}"),
    "verif.already": (
        "Sudah diputuskan oleh {name}: {status}.",
        "Already decided by {name}: {status}.",
    ),
    "verif.ask_reason": (
        "Tulis alasan penolakan {doc} TA {ta} Desa {desa} (mis. lampiran belum lengkap):",
        "Write why {doc} FY {ta} of Desa {desa} is rejected (for example: attachments missing):",
    ),
    "verif.none": ("Tidak ada dokumen yang menunggu verifikasi. 👍", "Nothing awaits verification. 👍"),
    "verif.list_title": ("Menunggu verifikasi ({count}):", "Awaiting verification ({count}):"),
    "verif.to_sender_accepted": (
        "✅ {doc} TA {ta} Desa {desa} (versi {version}) diterima kecamatan. {verdict}",
        "✅ {doc} FY {ta} of Desa {desa} (version {version}) was accepted. {verdict}",
    ),
    "verif.to_sender_rejected": (
        "❌ {doc} TA {ta} Desa {desa} (versi {version}) ditolak: {reason}\nKirim versi perbaikannya dengan /kirim.",
        "❌ {doc} FY {ta} of Desa {desa} (version {version}) was rejected: {reason}\n"
        "Send a corrected version with /kirim.",
    ),
    "verif.on_time": ("Tepat waktu. Terima kasih! 🙏", "On time. Thank you! 🙏"),
    "verif.late": ("Tercatat terlambat.", "Recorded as late."),
    "error.reason_required_chat": ("Alasan penolakan perlu diisi.", "A reason is needed to reject."),
    # --- status and indicator ---
    "status.title": (
        "Status dokumen Desa {desa}, tahun kinerja {year}:",
        "Documents of Desa {desa}, performance year {year}:",
    ),
    "status.line": (
        "{doc} TA {ta} · batas {deadline}{agreed} · {status}{days}",
        "{doc} FY {ta} · due {deadline}{agreed} · {status}{days}",
    ),
    "status.agreed": (" (kesepakatan {date})", " (agreed {date})"),
    "status.days_left": (" · tinggal {days} hari", " · {days} days left"),
    "status.today": (" · hari ini!", " · today!"),
    "status.overdue": (" · lewat {days} hari", " · {days} days overdue"),
    "status.kecamatan_title": (
        "Kecamatan {kecamatan}, tahun kinerja {year}\n"
        "✅ tepat · ☑️ terlambat · ⏳ menunggu · ❌ ditolak · ⭕ tidak ada · ▫️ belum",
        "Kecamatan {kecamatan}, performance year {year}\n"
        "✅ on time · ☑️ late · ⏳ waiting · ❌ rejected · ⭕ missing · ▫️ not due",
    ),
    "status.nothing": ("Belum ada desa dalam cakupan Anda.", "No desa in your scope yet."),
    "indikator.line": (
        "{doc} TA {ta}: {percent} ({on_time}/{desa} desa tepat waktu)",
        "{doc} FY {ta}: {percent} ({on_time}/{desa} desa on time)",
    ),
    "indikator.late": ("☑️ Terlambat: {names}", "☑️ Late: {names}"),
    "indikator.rejected": ("❌ Ditolak: {names}", "❌ Rejected: {names}"),
    "indikator.missing": ("⭕ Tidak ada: {names}", "⭕ Missing: {names}"),
    "indikator.waiting": ("⏳ Menunggu verifikasi: {names}", "⏳ Awaiting verification: {names}"),
    "indikator.bad_year": (
        "Tahun {value} tidak bisa dipakai; contoh: /indikator 2024",
        "Year {value} cannot be used; e.g. /indikator 2024",
    ),
    "extend.choose_desa": ("Perpanjangan untuk desa mana?", "An extension for which desa?"),
    "extend.choose_document": ("Dokumen mana?", "Which document?"),
    "extend.none_open": ("Desa ini tidak punya dokumen yang masih terbuka.", "This desa has no open document."),
    "extend.ask_date": (
        "Batas kesepakatan baru untuk {doc} TA {ta} Desa {desa} (sekarang {current})? "
        "Ketik tanggalnya, mis. 14/10/2024.",
        "New agreed date for {doc} FY {ta} of Desa {desa} (now {current})? Type the date, e.g. 14/10/2024.",
    ),
    "extend.ask_reason": ("Alasannya?", "The reason?"),
    "extend.reason_needed": ("Perpanjangan perlu alasan.", "An extension needs a reason."),
    "extend.date_past": ("Tanggal itu sudah lewat.", "That date has passed."),
    "extend.done": (
        "✔ Batas kesepakatan {doc} TA {ta} Desa {desa}: {previous} → {date}. Batas waktu peraturan tetap {legal}; "
        "indikator tidak berubah.",
        "✔ Agreed date of {doc} FY {ta} of Desa {desa}: {previous} → {date}. The legal deadline stays {legal}; "
        "the indicator does not change.",
    ),
    "extend.told": (
        "📅 Kecamatan memberi perpanjangan: {doc} TA {ta} Desa {desa} kini paling lambat {date} ({reason}).",
        "📅 The kecamatan granted an extension: {doc} FY {ta} of Desa {desa} is now due {date} ({reason}).",
    ),
    "command.perpanjang": ("Perpanjang batas kesepakatan satu desa", "Extend one desa's agreed date"),
    "error.not_counted_document": (
        "{code} tidak dihitung dalam indikator dan belum punya kewajiban per desa; "
        "batas kesepakatan belum bisa diatur.",
        "{code} is not counted in the indicator and has no obligations per desa yet; no agreed date can be set.",
    ),
    "error.history_header": (
        "{path}: kolom harus `kecamatan,year,indicator,target,realisasi,capaian`, ditemukan: {found}.",
        "{path}: the columns must be `kecamatan,year,indicator,target,realisasi,capaian`, found: {found}.",
    ),
    "error.history_row": ("baris {row}: {problem}", "row {row}: {problem}"),
    "history.imported": (
        "{path}: {added} angka baru, {updated} diperbarui, {unchanged} tidak berubah.",
        "{path}: {added} new figures, {updated} updated, {unchanged} unchanged.",
    ),
    "error.unknown_person": ("Orang dengan id {person} tidak ada.", "There is no person with id {person}."),
    "error.nothing_to_revoke": (
        "{person} tidak memegang peran itu (atau sudah dicabut).",
        "{person} holds no such role (or it was already revoked).",
    ),
    "error.unknown_assignment": (
        "Peran itu tidak ada atau sudah dicabut.",
        "That role does not exist or was already revoked.",
    ),
    "deadline.told": (
        "📅 Batas kesepakatan baru: {doc} TA {ta} Desa {desa} paling lambat {date} (batas waktu peraturan {legal}).",
        "📅 New agreed date: {doc} FY {ta} of Desa {desa} is due {date} (legal deadline {legal}).",
    ),
    # --- the desk in the chat ---
    "command.tenggat": ("Batas kesepakatan untuk semua desa", "The agreed date for every desa"),
    "command.catat": ("Catat dokumen kertas", "Record a paper document"),
    "command.koreksi": ("Batalkan keputusan yang keliru", "Undo a wrong verdict"),
    "command.cabut": ("Cabut peran seseorang", "Revoke someone's role"),
    "command.arsip": ("Ambil berkas yang tersimpan", "Get stored files back"),
    "command.libur": ("Daftar hari libur", "The days off"),
    "indikator.rank": (
        "🏅 Peringkat {rank} dari {total} kecamatan di {kabupaten} (tertinggi: {best}, {best_value}).",
        "🏅 Rank {rank} of {total} kecamatan in {kabupaten} (highest: {best}, {best_value}).",
    ),
    "command.rekap": ("Rekap Excel indikator dan dokumen", "The recap workbook"),
    "command.dasbor": ("Tautan masuk ke dasbor web", "A sign-in link to the web dashboard"),
    "rekap.caption": (
        "📊 Rekap Kecamatan {kecamatan}, tahun kinerja {year} (per {at}): Ringkasan, Per Desa, Rincian, Perbandingan.",
        "📊 Recap of Kecamatan {kecamatan}, performance year {year} (as of {at}): "
        "summary, per desa, versions, comparison.",
    ),
    "rekap.waiting": (
        "⏳ Rekap Kecamatan {kecamatan} tahun {year} sedang disiapkan; berkasnya menyusul sebentar lagi.",
        "⏳ The recap of Kecamatan {kecamatan} for {year} is being prepared; the file follows shortly.",
    ),
    "build.busy": (
        "⏳ Berkas Anda yang sebelumnya masih disiapkan, tunggu sebentar. Setelah itu terkirim, silakan minta lagi.",
        "⏳ Your previous file is still being prepared, please wait. Once it has arrived, ask again.",
    ),
    "build.failed": (
        "Maaf, berkasnya gagal disiapkan. Silakan coba lagi sebentar lagi; kalau tetap gagal, hubungi admin.",
        "Sorry, the file could not be prepared. Please try again shortly; if it keeps failing, tell the admin.",
    ),
    "desk.choose_kecamatan": ("Kecamatan mana?", "Which kecamatan?"),
    "desk.choose_desa": ("Desa mana?", "Which desa?"),
    "desk.choose_document": ("Dokumen mana?", "Which document?"),
    "desk.nothing": ("Tidak ada yang bisa dipilih.", "There is nothing to choose."),
    "tenggat.choose": (
        "Batas kesepakatan untuk dokumen mana (semua desa Kecamatan {kecamatan})?",
        "The agreed date of which document (every desa of Kecamatan {kecamatan})?",
    ),
    "tenggat.ask_date": (
        "Tanggal kesepakatan untuk {doc} TA {ta} (batas waktu peraturan {legal})? Ketik, mis. 13/09/2024.",
        "The agreed date for {doc} FY {ta} (legal deadline {legal})? Type it, e.g. 13/09/2024.",
    ),
    "tenggat.after_legal": (
        "Tanggal itu sesudah batas waktu peraturan ({legal}); kesepakatan biasanya lebih awal. Tetap disimpan.",
        "That date is after the legal deadline ({legal}); an agreement is usually earlier. Saved anyway.",
    ),
    "tenggat.done": (
        "✔ Batas kesepakatan {doc} TA {ta}: {date} untuk {count} desa. {kept}{notified} orang diberi tahu.",
        "✔ Agreed date of {doc} FY {ta}: {date} for {count} desa. {kept}{notified} people told.",
    ),
    "tenggat.kept": ("Tetap dengan perpanjangannya: {names}. ", "Keeping their extension: {names}. "),
    "catat.ask_penetapan": ("Tanggal penetapan dokumen kertas ini?", "When was this paper document established?"),
    "catat.ask_received": ("Tanggal diterima kecamatan?", "When did the kecamatan receive it?"),
    "catat.received_before": (
        "Tanggal diterima tidak bisa sebelum tanggal penetapan ({penetapan}).",
        "It cannot be received before it was established ({penetapan}).",
    ),
    "catat.ask_files": (
        "Kirim pindaian atau foto halamannya bila ada (boleh beberapa), lalu tekan Lanjut. Tanpa berkas: tekan Lewati.",
        "Send the scan or photos of its pages if you have them, then press Next. Without files: press Skip.",
    ),
    "catat.summary": (
        "Periksa dulu (dokumen kertas):\n• {doc} TA {ta} · Desa {desa}\n• Ditetapkan {penetapan}\n"
        "• Diterima {received}\n• Berkas: {files}\nSimpan sebagai diterima?",
        "Please check (paper document):\n• {doc} FY {ta} · Desa {desa}\n• Established {penetapan}\n"
        "• Received {received}\n• Files: {files}\nSave as accepted?",
    ),
    "catat.saved": (
        "✔ Tercatat: {doc} TA {ta} Desa {desa}, versi {version}, diterima {received} — {verdict}",
        "✔ Recorded: {doc} FY {ta} of Desa {desa}, version {version}, received {received} — {verdict}",
    ),
    "catat.told": (
        "📄 Kecamatan mencatat {doc} TA {ta} Desa {desa} yang diserahkan di atas kertas (diterima {received}).",
        "📄 The kecamatan recorded the paper copy of {doc} FY {ta} of Desa {desa} (received {received}).",
    ),
    "button.save": ("✅ Simpan", "✅ Save"),
    "koreksi.choose": ("Keputusan mana yang keliru?", "Which verdict was wrong?"),
    "koreksi.none": ("Belum ada keputusan yang bisa dibatalkan.", "There is no verdict to undo."),
    "koreksi.ask_reason": ("Kenapa keputusan ini dibatalkan?", "Why is this verdict undone?"),
    "koreksi.reason_needed": ("Pembatalan perlu alasan.", "Undoing a verdict needs a reason."),
    "koreksi.nothing_to_undo": (
        "Versi itu sedang menunggu keputusan; tidak ada yang dibatalkan.",
        "That version awaits a decision; nothing to undo.",
    ),
    "koreksi.done": (
        "↩️ Keputusan atas {doc} TA {ta} Desa {desa} versi {version} ({previous}) dibatalkan; "
        "versi ini kembali menunggu verifikasi.",
        "↩️ The verdict on {doc} FY {ta} of Desa {desa} version {version} ({previous}) is undone; "
        "it awaits verification again.",
    ),
    "koreksi.told": (
        "↩️ Kecamatan membatalkan keputusan atas {doc} TA {ta} Desa {desa} (versi {version}): {reason}. Dokumen kembali "
        "menunggu verifikasi.",
        "↩️ The kecamatan undid its verdict on {doc} FY {ta} of Desa {desa} (version {version}): {reason}. It awaits "
        "verification again.",
    ),
    "cabut.choose": ("Peran siapa yang dicabut?", "Whose role is revoked?"),
    "cabut.none": ("Tidak ada peran yang bisa Anda cabut.", "There is no role you may revoke."),
    "cabut.confirm": ("Cabut peran {role} {scope} dari {name}?", "Revoke {name}'s role {role} {scope}?"),
    "cabut.done": (
        "✔ Peran {role} {scope} dicabut dari {name}. Dokumen yang pernah dikirimnya tetap tersimpan; undang "
        "penggantinya dengan /undang.",
        "✔ {name} no longer holds {role} {scope}. What they sent stays; invite the replacement with /undang.",
    ),
    "cabut.told": (
        "Peran Anda sebagai {role} {scope} di Ngobras Klambi telah dicabut oleh kecamatan. "
        "Terima kasih atas kerja samanya.",
        "Your role as {role} {scope} in Ngobras Klambi was revoked by the kecamatan. Thank you for your work.",
    ),
    "button.revoke": ("Ya, cabut", "Yes, revoke"),
    "arsip.choose_version": ("Versi mana?", "Which version?"),
    "arsip.version": (
        "v{version} · {status} · masuk {received} · {files} berkas",
        "v{version} · {status} · received {received} · {files} files",
    ),
    "arsip.no_files": (
        "Versi ini dicatat tanpa berkas (dokumen kertas).",
        "This version was recorded without files (paper).",
    ),
    "arsip.sending": (
        "📎 {doc} TA {ta} Desa {desa}, versi {version}: {files} berkas.",
        "📎 {doc} FY {ta} of Desa {desa}, version {version}: {files} files.",
    ),
    "libur.title": (
        "Hari libur kerja {year} (libur nasional, cuti bersama, tambahan admin *):",
        "Days off in {year} (holidays, cuti bersama, an admin's *):",
    ),
    # --- reminders and escalations ---
    "reminder.title": (
        "⏰ Pengingat {kind}: {doc} TA {ta} Desa {desa}",
        "⏰ Reminder {kind}: {doc} FY {ta} of Desa {desa}",
    ),
    "reminder.agreed": ("Batas kesepakatan: {date} — {countdown}", "Agreed date: {date} — {countdown}"),
    "reminder.legal": ("Batas waktu peraturan: {date}", "Legal deadline: {date}"),
    "reminder.rejected": (
        "Versi sebelumnya ditolak ({reason}): kirim versi perbaikannya.",
        "The previous version was rejected ({reason}): send a corrected one.",
    ),
    "reminder.days_left": ("tinggal {days} hari", "{days} days left"),
    "reminder.today": ("hari ini!", "today!"),
    "reminder.overdue": ("lewat {days} hari", "{days} days overdue"),
    "digest.title": (
        "📋 Ringkasan pagi Kecamatan {kecamatan}, {date}",
        "📋 Morning digest of Kecamatan {kecamatan}, {date}",
    ),
    "digest.due": ("Jatuh tempo dalam 7 hari:", "Due within 7 days:"),
    "digest.overdue": ("Sudah lewat batas kesepakatan:", "Past the agreed date:"),
    "digest.waiting": (
        "⏳ {count} dokumen menunggu verifikasi: /verifikasi",
        "⏳ {count} documents await verification: /verifikasi",
    ),
    "digest.no_sekdes": (
        "⚠️ Desa tanpa sekdes terdaftar di bot: {names}",
        "⚠️ Desa with no secretary registered with the bot: {names}",
    ),
    "digest.forward": ("Teruskan lewat WhatsApp: {link}", "Forward by WhatsApp: {link}"),
    "digest.invite_links": (
        "Teruskan tautan undangan ini kepada sekdes desanya (lewat WhatsApp, sekali pakai):",
        "Forward these invitation links to each desa's secretary (by WhatsApp, each works once):",
    ),
    "digest.invite_link": ("• {desa}: {link} (sampai {until})", "• {desa}: {link} (until {until})"),
    "digest.forward_text": (
        "Pengingat dari Kecamatan {kecamatan}: mohon segera kirim dokumen desa (RKPDes/APBDes/LPPDes). Minta tautan "
        "undangan bot Ngobras Klambi ke Kasi Pemerintahan.",
        "A reminder from Kecamatan {kecamatan}: please send the village documents (RKPDes/APBDes/LPPDes). Ask the Kasi "
        "Pemerintahan for an invitation link to the Ngobras Klambi bot.",
    ),
    "camat.deadline_passed": (
        "⚠️ Batas waktu {doc} TA {ta} ({date}) sudah lewat: {count} dari {total} desa belum diterima — {names}. "
        "Ketik /indikator untuk angka terbaru.",
        "⚠️ The legal deadline of {doc} FY {ta} ({date}) has passed: {count} of {total} desa not accepted — {names}. "
        "Type /indikator for the latest figures.",
    ),
    "recap.title": ("🗓️ Rekap mingguan", "🗓️ Weekly recap"),
    "recap.plain_title": ("🗓️ Rekap mingguan dokumen desa, {date}", "🗓️ Weekly recap of the village documents, {date}"),
    "recap.plain_footer": (
        "Kirim dokumen lewat bot Ngobras Klambi; belum terdaftar? Minta tautan undangan ke Kasi Pemerintahan.",
        "Send the documents through the Ngobras Klambi bot; not registered yet? Ask the Kasi Pemerintahan for an "
        "invitation link.",
    ),
    "notice.unreachable": (
        "📵 {name} ({role}, {place}) tidak bisa lagi dihubungi bot — mungkin memblokir bot atau menghapus akunnya. "
        "Hubungi lewat WhatsApp atau telepon.",
        "📵 {name} ({role}, {place}) can no longer be reached by the bot — blocked it or deleted the account. "
        "Reach them by WhatsApp or phone.",
    ),
    # --- results ---
    "db.upgraded": (
        "Skema basis data mutakhir (revisi {revision}).",
        "Database schema up to date (revision {revision}).",
    ),
    "villages.imported": (
        "{area}: {kecamatan} kecamatan dan {desa} desa baru, {kewajiban} kewajiban dokumen dibuat; "
        "{unchanged} desa sudah ada; {kelurahan} kelurahan dilewati (tidak menyusun dokumen desa).",
        "{area}: {kecamatan} new kecamatan and {desa} new desa, {kewajiban} document obligations created; "
        "{unchanged} desa already there; {kelurahan} kelurahan skipped (they make no village documents).",
    ),
    "villages.progress": ("Memuat desa", "Loading desa"),
    "target.saved": (
        "Target {indicator} Kecamatan {kecamatan} tahun {year}: awal {awal}, perubahan {perubahan}, renstra {renstra}.",
        "Target {indicator} of Kecamatan {kecamatan} for {year}: "
        "initial {awal}, revised {perubahan}, renstra {renstra}.",
    ),
    "record.saved": (
        "Tercatat: {document} TA {ta} Desa {desa}, versi {version} ({review}), ditetapkan {penetapan}, "
        "diterima {diterima}.",
        "Recorded: {document} TA {ta} of Desa {desa}, version {version} ({review}), established {penetapan}, "
        "received {diterima}.",
    ),
    "record.unchanged": (
        "Sudah tercatat sebelumnya sebagai versi {version}: tidak ada yang diubah.",
        "Already recorded as version {version}: nothing changed.",
    ),
    "none": ("—", "—"),
    "holidays.title": ("Hari libur kerja tahun {year}", "Days off in {year}"),
    "holidays.added": ("{day} kini hari libur: {name}.", "{day} is now a day off: {name}."),
    "holidays.unchanged": (
        "{day} memang sudah libur: tidak ada yang diubah.",
        "{day} already is a day off: nothing changed.",
    ),
    "holidays.removed": ("{day} ({name}) kini hari kerja.", "{day} ({name}) is now a working day."),
    "holidays.by_admin": ("ditambahkan admin", "added by an admin"),
    "holidays.official": ("libur nasional / cuti bersama", "public holiday / cuti bersama"),
    "column.date": ("Tanggal", "Date"),
    "column.recipient": ("Penerima", "Recipient"),
    "column.year": ("Tahun", "Year"),
    "chart.combined": ("Gabungan\n(realisasi)", "Combined\n(realisation)"),
    "chart.target": ("target {value}%", "target {value}%"),
    "chart.indicator_title": (
        "Desa yang menyusun dokumen tepat waktu — Kecamatan {kecamatan}, {year}",
        "Desa with documents on time — Kecamatan {kecamatan}, {year}",
    ),
    "chart.history_title": (
        "Perbandingan capaian kinerja dari tahun ke tahun — Kecamatan {kecamatan}",
        "Performance year after year — Kecamatan {kecamatan}",
    ),
    "chart.series_target": ("Target", "Target"),
    "chart.series_realisasi": ("Realisasi", "Realisation"),
    "chart.series_capaian": ("Capaian", "Achievement"),
    "ranking.title": (
        "Peringkat kecamatan {kabupaten} ({kode}), tahun kinerja {year} — menurut realisasi",
        "Kecamatan of {kabupaten} ({kode}) ranked by realisation, performance year {year}",
    ),
    "error.kecamatan_or_kabupaten": (
        "Sebutkan --kecamatan atau --kabupaten (salah satu).",
        "Give --kecamatan or --kabupaten (one of them).",
    ),
    "error.unknown_kabupaten": (
        "Kabupaten {kode} belum terdaftar. Muat dulu dengan `klambi villages import --area {kode}`.",
        "Kabupaten {kode} is not loaded. Load it first with `klambi villages import --area {kode}`.",
    ),
    "column.capaian": ("Capaian", "Achievement"),
    "column.kind": ("Jenis", "Kind"),
    "forum.not_linked": (
        "Grup ini belum terhubung ke kecamatan mana pun. Admin dapat menghubungkannya dengan "
        "`klambi forum --kecamatan KODE --chat ID_GRUP`.",
        "This group is not linked to a kecamatan. An admin links it with "
        "`klambi forum --kecamatan CODE --chat GROUP_ID`.",
    ),
    "forum.saved": ("Grup forum Kecamatan {kecamatan}: {chat}.", "Forum group of Kecamatan {kecamatan}: {chat}."),
    "forum.cleared": ("Kecamatan {kecamatan} tanpa grup forum.", "Kecamatan {kecamatan} has no forum group."),
    "error.bad_chat_id": (
        "'{value}' bukan id grup Telegram (mis. -1001234567890).",
        "'{value}' is not a Telegram group id (e.g. -1001234567890).",
    ),
    "error.bad_window": (
        "--to harus sesudah --from, paling lama dua tahun.",
        "--to must follow --from, at most two years later.",
    ),
    "column.name": ("Nama", "Name"),
    "column.source": ("Sumber", "Source"),
    "demo.loaded": ("Kecamatan Jatiroto dimuat: {desa} desa.", "Kecamatan Jatiroto loaded: {desa} desa."),
    "demo.targets": (
        "Target 2024 (Perjanjian Kinerja): awal 88,89%, perubahan 94,44%.",
        "Targets 2024 (Perjanjian Kinerja): initial 88.89%, revised 94.44%.",
    ),
    "demo.recorded": (
        "18 dokumen tahun kinerja 2024 tercatat ({new} baru), semuanya diterima kecamatan.",
        "18 documents of performance year 2024 recorded ({new} new), all accepted by the kecamatan.",
    ),
    "try.ready": (
        "Buka {url} di peramban: Kecamatan {kecamatan} ({kode}) dengan bot sungguhan di komputer ini. "
        "Hentikan dengan Ctrl-C.",
        "Open {url} in a browser: Kecamatan {kecamatan} ({kode}) with the real bot on this machine. Stop with Ctrl-C.",
    ),
    "try.stopped": ("Dihentikan; folder sementara sudah dihapus.", "Stopped; the temporary folder was removed."),
    "try.port_in_use": (
        "Port {port} sudah dipakai program lain; pilih port lain, mis. --port 8091.",
        "Port {port} is already in use; choose another, e.g. --port 8091.",
    ),
    "try.port_unusable": (
        "Port {port} tidak bisa dipakai ({reason}); pilih port lain, mis. --port 8091.",
        "Port {port} cannot be used ({reason}); choose another, e.g. --port 8091.",
    ),
    "try.no_kecamatan": (
        "Kecamatan {query!r} tidak ada di data rujukan; beri nama atau kode, mis. --kecamatan 35.08.17.",
        "No kecamatan {query!r} in the reference data; give a name or a code, e.g. --kecamatan 35.08.17.",
    ),
    "try.several_kecamatan": (
        "Ada beberapa kecamatan yang cocok dengan {query!r}: {choices}. Pilih dengan kodenya, mis. --kecamatan "
        "35.08.17, atau tambahkan kabupatennya, mis. --kecamatan 'jatiroto, lumajang'.",
        "Several kecamatan match {query!r}: {choices}. Choose one by its code, e.g. --kecamatan 35.08.17, or add its "
        "kabupaten, e.g. --kecamatan 'jatiroto, lumajang'.",
    ),
    "try.no_desa": (
        "Kecamatan {kecamatan} tidak punya desa untuk dicoba.",
        "Kecamatan {kecamatan} has no desa to try.",
    ),
    "reminders.recipient.sekdes": ("Sekretaris Desa", "village secretary"),
    "reminders.recipient.pendamping": ("Pendamping Desa", "village facilitator"),
    "reminders.recipient.staf": ("Staf Kecamatan", "kecamatan staff"),
    "reminders.recipient.camat": ("Camat", "camat"),
    "reminders.recipient.forum": ("grup forum", "forum group"),
    "reminders.kind.reminder": ("pengingat {day}", "reminder {day}"),
    "reminders.kind.digest": ("ringkasan pagi", "morning digest"),
    "reminders.kind.recap": ("rekap mingguan", "weekly recap"),
    "reminders.kind.camat": ("eskalasi batas waktu", "deadline escalation"),
    "demo.try": (
        "Coba sendiri: KLAMBI_DATABASE__URL={url} {klambi} indicator --kecamatan 35.08.17 --year 2024 --at 2024-12-31",
        "Try it yourself: KLAMBI_DATABASE__URL={url} {klambi} indicator --kecamatan 35.08.17 --year 2024 --at "
        "2024-12-31",
    ),
    "demo.try_path": (
        "Coba sendiri: KLAMBI_DATABASE__URL={url} {klambi} indicator --kecamatan 35.08.17 --year 2024 --at 2024-12-31 "
        "(atau `source {activate}` dulu, lalu cukup `klambi …`)",
        "Try it yourself: KLAMBI_DATABASE__URL={url} {klambi} indicator --kecamatan 35.08.17 --year 2024 --at "
        "2024-12-31 (or `source {activate}` first, then just `klambi …`)",
    ),
    # --- indicator ---
    "indicator.title": (
        "Indikator akuntabilitas pemerintahan desa — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}",
        "Village accountability indicator — Kecamatan {kecamatan} ({kode}), performance year {year}",
    ),
    "indicator.as_of": ("Per {at} · {desa} desa", "As of {at} · {desa} desa"),
    "indicator.no_desa": (
        "Kecamatan {kecamatan} ({kode}) tidak punya desa: indikator ini tidak berlaku.",
        "Kecamatan {kecamatan} ({kode}) has no desa: the indicator does not apply.",
    ),
    "indicator.summary": (
        "Realisasi {realisasi} · Target {target} · Capaian {capaian} · Predikat {predikat}",
        "Realisation {realisasi} · Target {target} · Achievement {capaian} · Rating {predikat}",
    ),
    "indicator.target_awal": ("(awal {awal})", "(initial {awal})"),
    "indicator.no_target": ("belum ada", "not set"),
    "indicator.quarters": ("Triwulan: {quarters}", "Quarters: {quarters}"),
    "column.document": ("Dokumen", "Document"),
    "column.ta": ("TA", "FY"),
    "column.deadline": ("Batas waktu", "Legal deadline"),
    "column.agreed": ("Batas kesepakatan", "Agreed date"),
    "column.percent": ("Persen", "Percent"),
    "column.desa": ("Desa", "Desa"),
    "column.status": ("Status", "Status"),
    "column.penetapan": ("Ditetapkan", "Established"),
    "column.received": ("Diterima", "Received"),
    "column.versions": ("Versi", "Versions"),
    "obligations.title": (
        "Kewajiban dokumen — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}, per {at}",
        "Document obligations — Kecamatan {kecamatan} ({kode}), performance year {year}, as of {at}",
    ),
    # --- commands typed as words, and the menu (issue 17) ---
    # word.<command>: the words, separated by spaces, that run the command when typed alone (with or without "/",
    # in any case); its own name always does. An English deployment may add English words in the second text.
    "word.start": ("start daftar", "start daftar join"),
    "word.help": ("help", "help"),
    "word.bantuan": ("bantuan", "bantuan"),
    "word.menu": ("menu", "menu"),
    "word.batal": ("batal", "batal cancel"),
    "word.hubungkan": ("hubungkan", "hubungkan link"),
    "word.kirim": ("kirim", "kirim send"),
    "word.status": ("status", "status"),
    "word.indikator": ("indikator", "indikator indicator"),
    "word.rekap": ("rekap", "rekap recap"),
    "word.verifikasi": ("verifikasi", "verifikasi verify"),
    "word.undang": ("undang", "undang invite"),
    "word.tenggat": ("tenggat", "tenggat deadline"),
    "word.catat": ("catat", "catat record"),
    "word.koreksi": ("koreksi", "koreksi undo"),
    "word.cabut": ("cabut", "cabut revoke"),
    "word.arsip": ("arsip", "arsip archive"),
    "word.libur": ("libur", "libur holidays"),
    "word.perpanjang": ("perpanjang", "perpanjang extend"),
    "word.umumkan": ("umumkan", "umumkan announce"),
    "word.pengumuman": ("pengumuman", "pengumuman announcements"),
    "word.kendala": ("kendala", "kendala problem"),
    "word.tanya": ("tanya", "tanya ask"),
    "word.rapat": ("rapat", "rapat meeting"),
    "word.agenda": ("agenda", "agenda meetings"),
    "word.dasbor": ("dasbor", "dasbor dashboard"),
    "command.menu": ("Pilihan yang bisa Anda lakukan", "What you can do, as choices"),
    "help.words": (
        "Perintah bisa diketik tanpa garis miring, mis. kirim atau status. Ketik menu untuk memilih dengan tombol.",
        "Commands can be typed without the slash, e.g. kirim or status. Type menu to choose from a list.",
    ),
    "menu.title": (
        "Pilih yang ingin Anda lakukan, atau ketik perintahnya (mis. kirim, status).",
        "Choose what you want to do, or type the command (e.g. kirim, status).",
    ),
    "menu.not_understood": (
        "Maaf, saya belum paham. Pilih yang ingin Anda lakukan, atau ketik bantuan.",
        "Sorry, I did not understand. Choose what you want to do, or type bantuan.",
    ),
    "menu.page": ("Halaman {page} dari {pages}.", "Page {page} of {pages}."),
    "menu.open": ("Pilih", "Choose"),
    "menu.next": ("Berikutnya ➡️", "Next ➡️"),
    "menu.next_description": ("Pilihan lain, halaman {page} dari {pages}", "More choices, page {page} of {pages}"),
    "menu.section.dokumen": ("Dokumen", "Documents"),
    "menu.section.kecamatan": ("Kecamatan", "Kecamatan"),
    "menu.section.forum": ("Forum", "Forum"),
    "menu.section.akun": ("Akun", "Account"),
    "menu.section.lainnya": ("Lainnya", "More"),
    "menu.label.kirim": ("Kirim dokumen", "Send a document"),
    "menu.label.verifikasi": ("Verifikasi dokumen", "Verify documents"),
    "menu.label.status": ("Status dokumen", "Document status"),
    "menu.label.arsip": ("Arsip berkas", "Stored files"),
    "menu.label.catat": ("Catat dokumen kertas", "Record a paper document"),
    "menu.label.koreksi": ("Koreksi keputusan", "Undo a verdict"),
    "menu.label.indikator": ("Indikator kecamatan", "Kecamatan indicator"),
    "menu.label.rekap": ("Rekap Excel", "Recap workbook"),
    "menu.label.dasbor": ("Dasbor web", "Web dashboard"),
    "menu.label.tenggat": ("Tenggat semua desa", "Agreed date, all desa"),
    "menu.label.perpanjang": ("Perpanjang satu desa", "Extend one desa"),
    "menu.label.libur": ("Hari libur", "Days off"),
    "menu.label.undang": ("Undang orang", "Invite someone"),
    "menu.label.cabut": ("Cabut peran", "Revoke a role"),
    "menu.label.umumkan": ("Buat pengumuman", "Make an announcement"),
    "menu.label.pengumuman": ("Pengumuman terkirim", "Announcements sent"),
    "menu.label.kendala": ("Kendala desa", "Problems"),
    "menu.label.tanya": ("Tanya kecamatan", "Questions"),
    "menu.label.rapat": ("Jadwalkan rapat", "Schedule a meeting"),
    "menu.label.agenda": ("Agenda rapat", "Meetings"),
    "menu.label.hubungkan": ("Hubungkan aplikasi", "Link another app"),
    "menu.label.batal": ("Batalkan", "Cancel"),
    "menu.label.bantuan": ("Bantuan", "Help"),
    # --- statuses (with the recap marks of DOMAIN.md) ---
    "status.tepat_waktu": ("✅ tepat waktu", "✅ on time"),
    "status.terlambat": ("☑️ terlambat", "☑️ late"),
    "status.menunggu_verifikasi": ("⏳ menunggu verifikasi", "⏳ awaiting verification"),
    "status.ditolak": ("❌ ditolak", "❌ rejected"),
    "status.belum_jatuh_tempo": ("▫️ belum jatuh tempo", "▫️ not yet due"),
    "status.tidak_ada": ("⭕ tidak ada", "⭕ missing"),
    "review.menunggu": ("menunggu verifikasi", "awaiting verification"),
    "review.diterima": ("diterima", "accepted"),
    "review.ditolak": ("ditolak", "rejected"),
}


def _merge_catalogs() -> None:
    """The texts of the desk, reports, forum and operations live in their own modules, merged into one catalog."""
    from bot.i18n.desk import DESK_TEXTS
    from bot.i18n.forum import FORUM_TEXTS
    from bot.i18n.ops import OPS_TEXTS
    from bot.i18n.reading import READING_TEXTS
    from bot.i18n.reports import REPORT_TEXTS
    from bot.i18n.setup import SETUP_TEXTS
    from bot.i18n.templates import TEMPLATE_TEXTS
    from bot.i18n.web import WEB_TEXTS
    from bot.i18n.whatsapp import WHATSAPP_TEXTS

    for texts in (DESK_TEXTS, REPORT_TEXTS, FORUM_TEXTS, OPS_TEXTS, WHATSAPP_TEXTS, TEMPLATE_TEXTS, WEB_TEXTS,
                  SETUP_TEXTS, READING_TEXTS):  # fmt: skip
        clash = CATALOG.keys() & texts.keys()
        assert not clash, f"text keys defined twice: {sorted(clash)}"
        CATALOG.update(texts)


_merge_catalogs()

BABEL_LOCALE = {"id": "id", "en": "en"}


def t(key: str, language: Language = "id", **values: object) -> str:
    """A text of the catalog; a document code given as `doc` or `document` is shown as people write it."""
    indonesian, english = CATALOG[key]
    text = indonesian if language == "id" else english
    for name in ("doc", "document"):
        if isinstance(values.get(name), str):
            values[name] = doc_label(values[name])  # type: ignore[arg-type]
    return text.format(**values) if values else text


def doc_label(code: str) -> str:
    """A document code as people (and the LKjIP) write it: RKPDES → RKPDes, LPJ_APBDES → LPJ APBDes. Only for
    what people read; options, JSON and file formats keep the code."""
    return " ".join(part[:-3] + "Des" if part.endswith("DES") else part for part in code.split("_"))


def status_label(status: ObligationStatus, language: Language = "id") -> str:
    return t(f"status.{status.value}", language)


def fmt_date(day: date | None, language: Language = "id") -> str:
    if day is None:
        return t("none", language)
    return format_date(day, "d MMMM y", locale=BABEL_LOCALE[language])


def fmt_datetime(moment: datetime, language: Language = "id") -> str:
    """A local time, as on a receipt: '30 September 2024 08.15' ('…08:15' in English)."""
    return format_datetime(
        moment, "d MMMM y HH.mm" if language == "id" else "d MMMM y HH:mm", locale=BABEL_LOCALE[language]
    )


def fmt_number(value: Decimal | None, language: Language = "id") -> str:
    """A figure already rounded to two decimals: '94,44' in Indonesian. Never rounds again."""
    if value is None:
        return t("none", language)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} is not rounded to two decimals")
    return format_decimal(value, "#,##0.00", locale=BABEL_LOCALE[language])


def fmt_percent(value: Decimal | None, language: Language = "id") -> str:
    return t("none", language) if value is None else f"{fmt_number(value, language)}%"
