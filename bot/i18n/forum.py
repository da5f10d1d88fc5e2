"""Texts of the forum half: announcements, problems, questions, meetings (merged into `bot.i18n.CATALOG`)."""

from __future__ import annotations

FORUM_TEXTS: dict[str, tuple[str, str]] = {
    "command.umumkan": ("Kirim pengumuman ke desa", "Send an announcement to the desa"),
    "command.pengumuman": ("Siapa yang sudah menerima dan membaca", "Who received and read an announcement"),
    "command.kendala": ("Laporkan kendala desa / daftar kendala", "Report a desa's problem / list problems"),
    "command.tanya": ("Bertanya ke kecamatan / daftar pertanyaan", "Ask the kecamatan / list questions"),
    "command.rapat": ("Jadwalkan rapat koordinasi", "Schedule a coordination meeting"),
    "command.agenda": ("Jadwal rapat dan jawaban undangan", "Meetings and the answers to invitations"),
    "button.read": ("👍 Sudah dibaca", "👍 Read"),
    "button.answer": ("💬 Jawab", "💬 Answer"),
    "button.close": ("✅ Tutup", "✅ Close"),
    "button.answer_number": ("💬 Jawab #{number}", "💬 Answer #{number}"),
    "button.close_number": ("✅ Tutup #{number}", "✅ Close #{number}"),
    "button.details": ("Rincian #{number}", "Details #{number}"),
    "button.notulen": ("📝 Kirim notulen #{number}", "📝 Send notes #{number}"),
    "button.hadir": ("✅ Hadir", "✅ Attending"),
    "button.tidak_hadir": ("❌ Tidak hadir", "❌ Not attending"),
    "chat.use_buttons": ("Silakan pilih dengan tombol di atas, atau /batal.", "Please use the buttons, or /batal."),
    "forum.all_desa": ("Semua desa ({count})", "All desa ({count})"),
    "forum.no_desa_chosen": ("Pilih paling sedikit satu desa.", "Choose at least one desa."),
    "forum.empty_text": ("Teksnya masih kosong. Silakan tulis lagi.", "The text is empty. Please write it again."),
    "forum.about_document": (" (tentang {document})", " (about {document})"),
    # --- announcements ---
    "umumkan.choose_kecamatan": ("Pengumuman untuk kecamatan mana?", "An announcement for which kecamatan?"),
    "umumkan.ask_text": (
        "📢 Pengumuman untuk Kecamatan {kecamatan}. Tulis isinya (paling banyak {limit} huruf). Boleh juga kirim satu "
        "berkas atau foto, dengan isi pengumuman sebagai keterangannya.",
        "📢 An announcement for Kecamatan {kecamatan}. Write it (at most {limit} characters). You may also send one "
        "file or photo, with the announcement as its caption.",
    ),
    "umumkan.file_then_text": (
        "Berkas diterima sebagai lampiran. Sekarang tulis isi pengumumannya.",
        "File received as the attachment. Now write the announcement.",
    ),
    "umumkan.choose_audience": (
        "Untuk desa mana? Ketuk untuk memilih atau membatalkan pilihan, lalu Lanjut.",
        "For which desa? Tap to choose or unchoose, then Next.",
    ),
    "umumkan.check": ("Periksa dulu pengumumannya:", "Check the announcement:"),
    "umumkan.audience": (
        "Untuk: {names} — {reachable} orang (sekdes dan pendamping) di bot, {unreachable} belum bisa dihubungi.",
        "For: {names} — {reachable} people (sekdes and pendamping) on the bot, {unreachable} cannot be reached yet.",
    ),
    "umumkan.with_forum": ("Juga dikirim ke grup forum kecamatan.", "Also posted to the kecamatan's forum group."),
    "umumkan.with_file": ("Lampiran: {name}", "Attachment: {name}"),
    "umumkan.may_attach": (
        "Tanpa lampiran (kirim berkas atau foto sekarang untuk melampirkannya).",
        "No attachment (send a file or photo now to attach it).",
    ),
    "umumkan.queued_mark": ("✅ Dikirim.", "✅ Sent."),
    "umumkan.queued": (
        "Pengumuman #{number} sedang dikirim ke {count} orang{forum}. Belum bisa dihubungi: {unreachable}. "
        "Lihat /pengumuman untuk siapa yang sudah menerima dan membaca.",
        "Announcement #{number} is going out to {count} people{forum}. Cannot be reached: {unreachable}. "
        "See /pengumuman for who received and read it.",
    ),
    "umumkan.forum_line": (" dan grup forum", " and the forum group"),
    "umumkan.heading": (
        "📢 Pengumuman #{number} — Kecamatan {kecamatan}\nDari: {sender}",
        "📢 Announcement #{number} — Kecamatan {kecamatan}\nFrom: {sender}",
    ),
    "umumkan.read_thanks": ("✅ Terima kasih, tercatat sudah dibaca.", "✅ Thank you, noted as read."),
    "umumkan.read_already": ("Sudah tercatat dibaca sebelumnya.", "Already noted as read."),
    "pengumuman.none": ("Belum ada pengumuman.", "No announcements yet."),
    "pengumuman.title": ("📢 Pengumuman terakhir", "📢 Recent announcements"),
    "pengumuman.line": (
        "#{number} · {when} · {text}\n{total} penerima: {read} sudah dibaca, {sent} terkirim belum dibaca, "
        "{queued} menunggu giliran, {unreachable} tidak bisa dihubungi",
        "#{number} · {when} · {text}\n{total} recipients: {read} read, {sent} delivered not read, {queued} waiting "
        "their turn, {unreachable} cannot be reached",
    ),
    "pengumuman.detail_title": ("Pengumuman #{number}: {text}", "Announcement #{number}: {text}"),
    "pengumuman.state.read": ("✅ {name} — {role} {desa}: dibaca {read}", "✅ {name} — {role} {desa}: read {read}"),
    "pengumuman.state.sent": (
        "📬 {name} — {role} {desa}: terkirim, belum dibaca",
        "📬 {name} — {role} {desa}: delivered, not read",
    ),
    "pengumuman.state.queued": (
        "⏳ {name} — {role} {desa}: menunggu giliran kirim",
        "⏳ {name} — {role} {desa}: waiting to be sent",
    ),
    "pengumuman.state.unreachable": (
        "⚠️ {name} — {role} {desa}: tidak bisa dihubungi (belum membuka bot atau memblokirnya)",
        "⚠️ {name} — {role} {desa}: cannot be reached (never opened the bot, or blocked it)",
    ),
    "pengumuman.nobody": (
        "Desa tanpa sekdes atau pendamping di bot: {names}",
        "Desa with no sekdes or pendamping on the bot: {names}",
    ),
    "pengumuman.forum": ("Juga dikirim ke grup forum.", "Also posted to the forum group."),
    # --- problems ---
    "kendala.choose_document": (
        "Kendala Desa {desa}: tentang dokumen mana?",
        "A problem of Desa {desa}: about which document?",
    ),
    "kendala.no_document": ("Tidak terkait dokumen", "Not about a document"),
    "kendala.ask_text": (
        "Ceritakan kendalanya (paling banyak {limit} huruf).",
        "Describe the problem (at most {limit} characters).",
    ),
    "kendala.recorded": (
        "Kendala #{number} tercatat. {alerted} staf kecamatan sudah diberi tahu; jawabannya akan dikirim ke sini.",
        "Problem #{number} recorded. {alerted} kecamatan staff have been told; their answer will come here.",
    ),
    "kendala.alert": (
        "⚠️ Kendala #{number} — Desa {desa}{about}\nDari: {name} ({role})\n\n{text}\n\n"
        "Tekan Jawab (atau balas pesan ini) untuk menjawab; Tutup bila sudah selesai.",
        "⚠️ Problem #{number} — Desa {desa}{about}\nFrom: {name} ({role})\n\n{text}\n\n"
        "Press Answer (or reply to this message) to answer; Close when it is solved.",
    ),
    "kendala.answered": (
        "💬 Tanggapan kecamatan atas kendala #{number} ({question}):\n\n{text}",
        "💬 The kecamatan's answer to problem #{number} ({question}):\n\n{text}",
    ),
    "kendala.closed": (
        "✅ Kendala #{number} ({problem}) ditutup oleh kecamatan.\nCatatan: {note}",
        "✅ Problem #{number} ({problem}) was closed by the kecamatan.\nNote: {note}",
    ),
    "kendala.already_closed": ("Kendala #{number} sudah ditutup.", "Problem #{number} is already closed."),
    "kendala.none_open": ("Tidak ada kendala yang masih terbuka.", "No open problems."),
    "kendala.open_title": ("⚠️ Kendala yang masih terbuka ({count}), per desa:", "⚠️ Open problems ({count}), by desa:"),
    "kendala.replies": (" — {count} tanggapan", " — {count} answers"),
    "tutup.ask": (
        "Tutup kendala #{number} ({text}). Tulis catatan penyelesaiannya:",
        "Close problem #{number} ({text}). Write how it was solved:",
    ),
    "tutup.done": ("Kendala #{number} ditutup; pelapor diberi tahu.", "Problem #{number} closed; reporter told."),
    # --- questions ---
    "tanya.choose_desa": ("Pertanyaan untuk desa mana?", "A question for which desa?"),
    "tanya.ask_text": (
        "Tulis pertanyaan Anda untuk kecamatan (paling banyak {limit} huruf).",
        "Write your question for the kecamatan (at most {limit} characters).",
    ),
    "tanya.recorded": (
        "Pertanyaan #{number} terkirim ke {alerted} staf kecamatan. Jawabannya akan dikirim ke sini.",
        "Question #{number} sent to {alerted} kecamatan staff. The answer will come here.",
    ),
    "tanya.alert": (
        "❓ Pertanyaan #{number} — Desa {desa}{about}\nDari: {name} ({role})\n\n{text}\n\n"
        "Tekan Jawab, atau balas pesan ini, untuk menjawab.",
        "❓ Question #{number} — Desa {desa}{about}\nFrom: {name} ({role})\n\n{text}\n\n"
        "Press Answer, or reply to this message, to answer.",
    ),
    "tanya.answered": (
        "💬 Jawaban kecamatan atas pertanyaan #{number} ({question}):\n\n{text}",
        "💬 The kecamatan's answer to question #{number} ({question}):\n\n{text}",
    ),
    "tanya.none_open": ("Tidak ada pertanyaan yang belum dijawab.", "No unanswered questions."),
    "tanya.open_title": ("❓ Pertanyaan yang belum dijawab ({count}):", "❓ Unanswered questions ({count}):"),
    "jawab.ask": (
        "Jawaban untuk {what} #{number} ({text}). Tulis jawabannya (paling banyak {limit} huruf):",
        "Answer to {what} #{number} ({text}). Write the answer (at most {limit} characters):",
    ),
    "jawab.sent": (
        "Jawaban untuk {what} #{number} dikirim ke {name}.",
        "The answer to {what} #{number} is sent to {name}.",
    ),
    "kendala.noun": ("kendala", "problem"),
    "tanya.noun": ("pertanyaan", "question"),
    # --- meetings ---
    "rapat.ask_title": (
        "📅 Rapat koordinasi baru. Apa judulnya? (contoh: Arisan sekdes — jadwal APBDes)",
        "📅 A new coordination meeting. Its title? (e.g. Arisan sekdes — APBDes schedule)",
    ),
    "rapat.ask_when": (
        "Kapan? Tulis tanggal dan jam, contoh: 12/12/2024 09.00 atau 12 Desember 2024 pukul 9.00",
        "When? Write the date and time, e.g. 12/12/2024 09.00 or 12 December 2024 9.00",
    ),
    "rapat.ask_place": (
        "Di mana? (contoh: Rumah Sekdes Rojopolo, Jl. Mawar 3)",
        "Where? (e.g. the home of Rojopolo's sekdes, Jl. Mawar 3)",
    ),
    "rapat.choose_who": (
        "Siapa yang diundang? Pilih peran dan desa, lalu Lanjut.",
        "Who is invited? Choose the roles and desa, then Next.",
    ),
    "rapat.no_roles": ("Pilih paling sedikit satu peran.", "Choose at least one role."),
    "rapat.time_not_understood": (
        'Tanggal dan jam "{value}" tidak bisa dibaca. Contoh: 12/12/2024 09.00',
        'Could not read the date and time "{value}". Example: 12/12/2024 09.00',
    ),
    "rapat.in_the_past": ("Waktu itu sudah lewat. Tulis waktu yang akan datang.", "That time has passed."),
    "rapat.check": (
        "Periksa dulu:\n📅 {title}\n🕘 {when}\n📍 {place}\nDiundang: {roles} — {names}\n"
        "{count} orang, {unreachable} di antaranya belum bisa dihubungi lewat bot.",
        "Check:\n📅 {title}\n🕘 {when}\n📍 {place}\nInvited: {roles} — {names}\n"
        "{count} people, {unreachable} of them cannot be reached through the bot yet.",
    ),
    "rapat.saved": (
        "Rapat #{number} dijadwalkan. Undangan dikirim ke {invited} orang; {unreachable} belum bisa dihubungi. "
        "Pengingat dikirim sehari sebelumnya dan dua jam sebelumnya. Lihat jawaban mereka di /agenda.",
        "Meeting #{number} scheduled. Invitations go to {invited} people; {unreachable} cannot be reached. Reminders "
        "go out the day before and two hours before. See their answers in /agenda.",
    ),
    "rapat.details": (
        "📅 {title}\n🕘 {when}\n📍 {place}\nKecamatan {kecamatan}",
        "📅 {title}\n🕘 {when}\n📍 {place}\nKecamatan {kecamatan}",
    ),
    "rapat.invitation": (
        "📨 Undangan rapat #{number}. Mohon jawab dengan tombol di bawah.",
        "📨 Invitation to meeting #{number}. Please answer with the buttons below.",
    ),
    "rapat.reminder.H-1": ("⏰ Pengingat: besok rapat #{number}.", "⏰ Reminder: meeting #{number} is tomorrow."),
    "rapat.reminder.2 jam": (
        "⏰ Pengingat: dua jam lagi rapat #{number}.",
        "⏰ Reminder: meeting #{number} starts in two hours.",
    ),
    "rapat.your_answer.hadir": ("Jawaban Anda: hadir.", "Your answer: attending."),
    "rapat.your_answer.tidak": ("Jawaban Anda: tidak hadir.", "Your answer: not attending."),
    "rapat.answer.hadir": ("Hadir", "Attending"),
    "rapat.answer.tidak": ("Tidak hadir", "Not attending"),
    "rapat.answer_noted": ("Tercatat: {answer}.", "Noted: {answer}."),
    "rapat.answer_same": ("Sudah tercatat: {answer}.", "Already noted: {answer}."),
    "rapat.answer_thanks": (
        "Terima kasih. Jawaban Anda untuk rapat #{number}: {answer}. Bisa diubah sebelum rapat dimulai.",
        "Thank you. Your answer for meeting #{number}: {answer}. You may change it before the meeting starts.",
    ),
    "rapat.already_started": (
        "Rapat ini sudah dimulai; jawaban tidak bisa diubah lagi.",
        "This meeting has started; the answer can no longer change.",
    ),
    "rapat.detail_title": ("Rapat #{number}: {title}", "Meeting #{number}: {title}"),
    "rapat.state.hadir": ("✅ {name} — {role} {desa}: hadir", "✅ {name} — {role} {desa}: attending"),
    "rapat.state.tidak": ("❌ {name} — {role} {desa}: tidak hadir", "❌ {name} — {role} {desa}: not attending"),
    "rapat.state.belum": ("▫️ {name} — {role} {desa}: belum menjawab", "▫️ {name} — {role} {desa}: no answer yet"),
    "rapat.state.unreachable": (
        "⚠️ {name} — {role} {desa}: tidak bisa dihubungi lewat bot",
        "⚠️ {name} — {role} {desa}: cannot be reached through the bot",
    ),
    "rapat.not_yet": (
        "Notulen bisa dikirim setelah rapat dimulai.",
        "The notes can be sent once the meeting has started.",
    ),
    "rapat.notulen_sent": ("Notulen rapat ini sudah dikirim.", "This meeting's notes were already sent."),
    "rapat.notulen_done": ("📝 Notulen sudah dikirim.", "📝 Notes sent."),
    "rapat.notulen_heading": ("📝 Notulen rapat #{number}", "📝 Notes of meeting #{number}"),
    "agenda.none": ("Tidak ada rapat yang dijadwalkan.", "No meetings scheduled."),
    "agenda.title": ("📅 Agenda rapat", "📅 Meetings"),
    "agenda.line": ("#{number} · {title}\n🕘 {when} · 📍 {place}", "#{number} · {title}\n🕘 {when} · 📍 {place}"),
    "agenda.counts": (
        "{hadir} hadir, {tidak} tidak hadir, {belum} belum menjawab, {unreachable} tidak bisa dihubungi",
        "{hadir} attending, {tidak} not attending, {belum} no answer, {unreachable} cannot be reached",
    ),
    "notulen.ask": (
        "Notulen rapat #{number} ({title}). Tulis notulennya (paling banyak {limit} huruf), atau kirim berkasnya "
        "dengan ringkasan sebagai keterangan.",
        "Notes of meeting #{number} ({title}). Write them (at most {limit} characters), or send the file with a "
        "summary as its caption.",
    ),
    "notulen.file_then_text": (
        "Berkas notulen diterima. Sekarang tulis ringkasannya.",
        "Notes file received. Now write a summary.",
    ),
    "notulen.sent": (
        "Notulen rapat #{number} dikirim ke {count} orang yang diundang.",
        "The notes of meeting #{number} go to {count} invitees.",
    ),
}
