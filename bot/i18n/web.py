"""Texts of the dashboard's sign-in, its refusals and `klambi web` (merged into `bot.i18n.CATALOG`). The pages
themselves are Jinja2 templates in Indonesian (`bot/web/dashboard/templates/`)."""

from __future__ import annotations

WEB_TEXTS: dict[str, tuple[str, str]] = {
    "dasbor.bad_minutes": (
        "--minutes: masa berlaku tautan {low} sampai {high} menit (paling lama 7 hari).",
        "--minutes: a link is valid {low} to {high} minutes (7 days at most).",
    ),
    "dasbor.person_or_place": (
        "Sebutkan satu: --person ID, --kecamatan KODE, atau --kabupaten KODE.",
        "Give one of --person ID, --kecamatan CODE or --kabupaten CODE.",
    ),
    "dasbor.no_role": (
        "Dasbor hanya untuk staf kecamatan, camat, dan admin.",
        "The dashboard is for kecamatan staf, camat and admins only.",
    ),
    "dasbor.viewer_place": (
        "{kode} bukan kode kecamatan atau kabupaten.",
        "{kode} is not the code of a kecamatan or a kabupaten.",
    ),
    "dasbor.link_unknown": (
        "Tautan masuk ini tidak dikenal atau sudah dicabut. Minta tautan baru dengan mengetik /dasbor di chat bot.",
        "This sign-in link is unknown or was revoked. Ask for a new one by typing /dasbor in the bot's chat.",
    ),
    "dasbor.link_used": (
        "Tautan masuk ini sudah dipakai. Setiap tautan hanya bisa dipakai sekali: ketik /dasbor di chat bot untuk "
        "tautan baru.",
        "This sign-in link was already used. Each link works once: type /dasbor in the bot's chat for a new one.",
    ),
    "dasbor.link_expired": (
        "Tautan masuk ini sudah kedaluwarsa. Ketik /dasbor di chat bot untuk tautan baru.",
        "This sign-in link has expired. Type /dasbor in the bot's chat for a new one.",
    ),
    "dasbor.form_expired": (
        "Formulir masuk ini sudah tidak berlaku (mungkin dibuka di peramban lain). Buka lagi tautannya lalu tekan "
        "Masuk.",
        "This sign-in form is no longer valid (perhaps opened in another browser). Open the link again and press "
        "Masuk.",
    ),
    "dasbor.signed_out": ("Anda sudah keluar dari dasbor.", "You have signed out of the dashboard."),
    "dasbor.need_sign_in": (
        "Silakan masuk dulu: ketik /dasbor di chat bot (WhatsApp: dasbor) lalu buka tautan yang dikirim.",
        "Please sign in first: type /dasbor in the bot's chat (WhatsApp: dasbor) and open the link it sends.",
    ),
    "dasbor.forbidden": (
        "Halaman ini di luar wilayah yang boleh Anda lihat.",
        "This page is outside the area you may see.",
    ),
    "dasbor.not_found": ("Halaman ini tidak ada.", "There is no such page."),
    "dasbor.file_missing": (
        "Berkas ini tidak bisa diambil dari penyimpanan (hilang atau rusak). Mohon beri tahu admin.",
        "This file cannot be read from the store (missing or damaged). Please tell the admin.",
    ),
    "dasbor.bad_year": (
        "Tahun '{value}' tidak bisa dibaca. Tulis empat angka, misalnya {example}.",
        "The year '{value}' cannot be read. Write four digits, for example {example}.",
    ),
    "dasbor.bad_date": (
        "Tanggal '{value}' tidak bisa dibaca. Tulis seperti {example} (tahun-bulan-tanggal).",
        "The date '{value}' cannot be read. Write it like {example} (year-month-day).",
    ),
    "dasbor.busy": (
        "Basis data sedang sibuk. Coba muat ulang halaman ini sebentar lagi.",
        "The database is busy. Try reloading this page in a moment.",
    ),
    "dasbor.building": (
        "Berkas ini masih disiapkan untuk Anda. Tunggu sebentar, lalu muat ulang halaman ini.",
        "This file is still being prepared for you. Wait a moment, then reload this page.",
    ),
    "web.cannot_listen": (
        "Dasbor tidak bisa dibuka di {listen}:{port}: {reason}. Periksa [web] listen dan port.",
        "The dashboard cannot listen on {listen}:{port}: {reason}. Check [web] listen and port.",
    ),
    "web.link_made": (
        "Tautan masuk untuk {who}, sekali pakai, berlaku sampai {until}. Jangan teruskan ke orang lain.",
        "Sign-in link for {who}, single use, valid until {until}. Do not pass it on.",
    ),
    "web.no_sessions": (
        "Tidak ada sesi dasbor yang berlaku dan tidak ada tautan masuk yang menunggu.",
        "No dashboard session is live and no sign-in link is waiting.",
    ),
    "web.col.kind": ("Jenis", "Kind"),
    "web.col.who": ("Siapa", "Who"),
    "web.col.person": ("Id orang", "Person id"),
    "web.col.place": ("Wilayah", "Place"),
    "web.col.since": ("Sejak", "Since"),
    "web.col.until": ("Sampai", "Until"),
    "web.col.seen": ("Terakhir dilihat", "Last seen"),
    "web.revoke_one": (
        "Sebutkan satu: --session ID, --link ID, atau --person ID (lihat `klambi web sessions`).",
        "Give one of --session ID, --link ID or --person ID (see `klambi web sessions`).",
    ),
    "web.bad_id": (
        "{option}: '{value}' bukan nomor (angka dari `klambi web sessions`).",
        "{option}: '{value}' is not a number (a number from `klambi web sessions`).",
    ),
    "web.nothing_revoked": (
        "Tidak ada sesi atau tautan yang berlaku dengan nomor itu: tidak ada yang diubah.",
        "No live session or link has that number: nothing was changed.",
    ),
    "web.revoked": ("{count} sesi/tautan diakhiri.", "{count} session(s)/link(s) ended."),
    "dasbor.chat_link": (
        "Tautan masuk ke dasbor (sekali pakai, berlaku {minutes} menit):\n{link}\n\n"
        "Buka lalu tekan *Masuk*. Jangan teruskan tautan ini ke orang lain.",
        "Your sign-in link to the dashboard (single use, valid {minutes} minutes):\n{link}\n\n"
        "Open it and press *Masuk*. Do not pass this link on.",
    ),
}
