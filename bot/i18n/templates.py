"""Texts of the WhatsApp message templates' parameters and of `klambi whatsapp templates` (merged into
`bot.i18n.CATALOG`). A parameter's text is read inside an Indonesian template: "Ada kabar baru dari Kecamatan X
tentang <template.about.…>"."""

from __future__ import annotations

TEMPLATE_TEXTS: dict[str, tuple[str, str]] = {
    "template.about.document": ("{doc} TA {ta} Desa {desa}", "{doc} FY {ta} of Desa {desa}"),
    "template.about.kendala": ("kendala #{number} Desa {desa}", "problem #{number} of Desa {desa}"),
    "template.about.tanya": ("pertanyaan #{number} Desa {desa}", "question #{number} of Desa {desa}"),
    "template.about.revoke": ("peran Anda sebagai {role}", "your role as {role}"),
    "template.about.unreachable": (
        "kontak {name} yang tidak bisa lagi dihubungi bot",
        "{name}, whom the bot can no longer reach",
    ),
    "template.about.other": ("dokumen administrasi desa", "the village documents"),
    "template.about.recap": ("rekap mingguan dokumen desa", "the weekly recap of the village documents"),
    "template.about.announcement": ("pengumuman #{number} dari {sender}", "announcement #{number} from {sender}"),
    "template.about.meeting_invitation": ("undangan rapat {title}, {when}", "an invitation to {title}, {when}"),
    "template.about.meeting_reminder": ("pengingat rapat {title}, {when}", "a reminder of {title}, {when}"),
    "template.about.meeting_notulen": ("notulen rapat {title}", "the notes of {title}"),
    "whatsapp.missing_key": (
        "[whatsapp] {setting} belum diatur: isi di berkas konfigurasi atau variabel KLAMBI_WHATSAPP__{env}.",
        "[whatsapp] {setting} is not set: put it in the configuration file or in KLAMBI_WHATSAPP__{env}.",
    ),
    "whatsapp.graph_unreachable": (
        "Graph API ({host}) tidak bisa dihubungi: periksa jaringan lalu coba lagi.",
        "The Graph API ({host}) cannot be reached: check the network and try again.",
    ),
    "whatsapp.graph_token": (
        "Graph API menolak [whatsapp] access_token: token salah, kedaluwarsa, atau tanpa izin untuk akun ini.",
        "The Graph API refused [whatsapp] access_token: wrong, expired, or without permission for this account.",
    ),
    "whatsapp.graph_error": (
        "Graph API menolak permintaan (HTTP {status}, kode {code}): {message}",
        "The Graph API refused the request (HTTP {status}, code {code}): {message}",
    ),
    "cli.templates.heading": ("{name} · bahasa {lang} · {category}", "{name} · language {lang} · {category}"),
    "cli.templates.example": ("Contoh", "Example"),
    "cli.templates.buttons": ("Tombol", "Buttons"),
    "cli.templates.created": ("{name} ({lang}): dibuat ({status})", "{name} ({lang}): created ({status})"),
    "cli.templates.exists": ("{name} ({lang}): sudah ada ({status})", "{name} ({lang}): already there ({status})"),
    "cli.templates.failed": ("{name} ({lang}): gagal — {reason}", "{name} ({lang}): failed — {reason}"),
    "cli.templates.status": ("{name} ({lang}): {status}", "{name} ({lang}): {status}"),
    "cli.templates.not_created": ("belum dibuat", "not created"),
}
