"""The forum in the chat, as its three features:

- `announcements`: /umumkan and /pengumuman, and "Sudah dibaca" under what they send;
- `threads`: /kendala and /tanya, answered (Jawab, or a reply to the alert) and closed (Tutup) by staf;
- `meetings`: /rapat and /agenda, Hadir / Tidak hadir, and the notulen.

`common` holds what they share: the draft's steps, the audience toggles, times in the kecamatan's zone. Steps live in
the person's draft; every choice carries ids only, and the services check the authorization table again.
"""
