"""Texts of the WhatsApp channel: lists, paging, messages waiting for the window (merged into `bot.i18n.CATALOG`).

WhatsApp cuts a list's button at 20 characters and a row's title at 24: these labels are chosen short.
"""

from __future__ import annotations

WHATSAPP_TEXTS: dict[str, tuple[str, str]] = {
    "whatsapp.list_button": ("Pilih", "Choose"),
    "whatsapp.choose": ("Silakan pilih:", "Please choose:"),
    "whatsapp.next": ("Berikutnya ›", "Next ›"),
    "whatsapp.next_description": ("Pilihan {start}–{end} dari {total}", "Choices {start}–{end} of {total}"),
    "whatsapp.more_choices": ("Pilihan lainnya ({page}/{pages}):", "More choices ({page}/{pages}):"),
    "whatsapp.choices_gone": (
        "Daftar pilihan itu sudah tidak berlaku. Ketik *menu* untuk melihat apa yang bisa dilakukan.",
        "That list is no longer valid. Type *menu* to see what you can do.",
    ),
    "whatsapp.nothing_waiting": (
        "Tidak ada pesan yang menunggu. Ketik *menu* untuk melihat apa yang bisa dilakukan.",
        "No message is waiting. Type *menu* to see what you can do.",
    ),
    "whatsapp.waiting_released": (
        "Pesan yang menunggu segera dikirim.",
        "The waiting messages are on their way.",
    ),
    "notice.template_waiting": (
        "Pesan WhatsApp menunggu: templat {template} belum disetujui Meta (status: {status}), dan orangnya sudah "
        "lebih dari 24 jam tidak menulis. Jalankan `klambi whatsapp templates status`; pesan terkirim sendiri begitu "
        "templat disetujui.",
        "WhatsApp messages wait: template {template} is not approved by Meta (status: {status}), and the person has "
        "not written for over 24 hours. Run `klambi whatsapp templates status`; they go out by themselves once it is "
        "approved.",
    ),
    "notice.daily_limit": (
        "Batas harian WhatsApp hampir habis ({used} dari {limit} orang dalam 24 jam): {waiting} pesan menunggu "
        "dan terkirim berurutan menurut prioritas (putusan dan peringatan untuk staf dulu, pengumuman terakhir).",
        "The daily WhatsApp limit is nearly used ({used} of {limit} people in 24 hours): {waiting} messages wait "
        "and go out by priority (verdicts and staff alerts first, announcements last).",
    ),
}
