"""The Bot API sandbox against the real python-telegram-bot, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox.telegram import BotApiSandbox, FloodControl

TOKEN = "123456:SANDBOX-TOKEN"
NOW = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)  # 09:00 WIB
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF"  # 1,039 bytes, every byte value
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" * 100 + b"\xff\xd9"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"Selamat datang, {update.effective_user.first_name}! ({' '.join(context.args)})")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    buttons = [
        [
            InlineKeyboardButton("Terima", callback_data="accept:7"),
            InlineKeyboardButton("Tolak", callback_data="reject:7"),
        ]
    ]
    await update.message.reply_text("Pilih:", reply_markup=InlineKeyboardMarkup(buttons))


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Diterima" if query.data.startswith("accept") else None)
    await query.edit_message_text(f"Tanda terima: {query.data} oleh {query.from_user.first_name}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"Anda menulis: {update.message.text}")


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        data = await (await update.message.document.get_file()).download_as_bytearray()
    except BadRequest as error:
        await update.message.reply_text(f"Galat: {error.message}")
        return
    context.bot_data.setdefault("files", []).append(bytes(data))
    await update.message.reply_text(f"Diterima {update.message.document.file_name}: {len(data)} byte")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    largest = update.message.photo[-1]
    data = await (await largest.get_file()).download_as_bytearray()
    await update.message.reply_text(f"Foto {largest.width}x{largest.height}, {len(update.message.photo)} ukuran")
    await update.message.reply_photo(largest.file_id, caption=f"Foto kembali ({len(data)} byte)")


def build(sandbox: BotApiSandbox, token: str = TOKEN) -> Application:
    application = (
        Application.builder().token(token).base_url(sandbox.base_url).base_file_url(sandbox.base_file_url).build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CallbackQueryHandler(pressed))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(MessageHandler(filters.Document.ALL, document))
    application.add_handler(MessageHandler(filters.PHOTO, photo))
    return application


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(TOKEN, "ngobras_klambi_bot", now=lambda: NOW) as sandbox:
        yield sandbox


@pytest.fixture
async def app(sandbox: BotApiSandbox) -> AsyncIterator[Application]:
    async with running(build(sandbox)) as application:
        yield application


async def test_text_round_trip_and_command_entities(sandbox: BotApiSandbox, app: Application) -> None:
    siti = sandbox.user(1001, "Siti", last_name="Aminah", label="Sekdes Rojopolo")
    sent = await siti.send_text("/start abc")
    assert sent.raw["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    reply = await siti.expect("Selamat datang, Siti! (abc)")
    assert reply.raw["date"] == int(NOW.timestamp())
    assert reply.raw["from"] == {
        "id": 123456,
        "is_bot": True,
        "first_name": "Ngobras Klambi",
        "username": "ngobras_klambi_bot",
    }
    assert reply.raw["chat"] == {"id": 1001, "type": "private", "first_name": "Siti", "last_name": "Aminah"}

    await siti.send_text("halo /start")  # not a leading command: the echo handler answers
    assert (await siti.expect("Anda menulis")).text == "Anda menulis: halo /start"
    await sandbox.settle()
    assert [m.text for m in siti.messages] == ["Selamat datang, Siti! (abc)", "Anda menulis: halo /start"]
    assert siti.last.message_id == 4  # the user's and the bot's messages share the chat's numbering
    assert [name for name, _ in sandbox.calls] == ["getMe", "deleteWebhook", "sendMessage", "sendMessage"]


async def test_button_press_edits_the_message_and_answers_the_query(sandbox: BotApiSandbox, app: Application) -> None:
    siti = sandbox.user(1001, "Siti", label="Sekdes Rojopolo")
    await siti.send_text("/menu")
    menu_message = await siti.expect("Pilih:")
    assert menu_message.buttons == [[("Terima", "accept:7"), ("Tolak", "reject:7")]]

    query_id = await siti.press("Terima")
    edited = await siti.expect("Tanda terima: accept:7 oleh Siti")
    assert edited is menu_message and edited.edited and edited.buttons == []
    assert "edit_date" in edited.raw
    assert [(a.callback_query_id, a.user, a.text, a.show_alert) for a in sandbox.answers] == [
        (query_id, siti, "Diterima", False)
    ]

    with pytest.raises(AssertionError, match=r"no button 'Setuju' .* buttons there: none"):
        await siti.press("Setuju", timeout=0.3)  # the edit removed the keyboard
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_text("Tanda terima: accept:7 oleh Siti", chat_id=1001, message_id=edited.message_id)
    await siti.press_callback(menu_message, "reject:7")  # a second tap that raced the edit
    await siti.expect("Tanda terima: reject:7")
    assert [a.text for a in sandbox.answers] == ["Diterima", None]
    with pytest.raises(AssertionError, match="received no message containing 'Ditolak'"):
        await siti.expect("Ditolak", timeout=0.3)


async def test_document_upload_download_and_resend_by_file_id(sandbox: BotApiSandbox, app: Application) -> None:
    siti = sandbox.user(1001, "Siti", label="Sekdes Rojopolo")
    sent = await siti.send_document(PDF, file_name="rkpdes.pdf")
    assert sent.document["mime_type"] == "application/pdf" and sent.document["file_size"] == len(PDF)
    await siti.expect(f"Diterima rkpdes.pdf: {len(PDF)} byte")
    assert app.bot_data["files"] == [PDF]

    file_id = sent.document["file_id"]
    copy = await app.bot.send_document(1001, file_id, caption="Salinan RKPDes")
    assert copy.document.file_id == file_id and copy.document.file_name == "rkpdes.pdf"
    assert sandbox.downloaded(siti.last.document["file_id"]) == PDF

    uploaded = await app.bot.send_document(1001, b"a,b\n1,2\n", filename="rekap.csv", caption="Rekap")
    assert (uploaded.document.file_name, uploaded.document.mime_type) == ("rekap.csv", "text/csv")
    assert await (await uploaded.document.get_file()).download_as_bytearray() == b"a,b\n1,2\n"
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await app.bot.send_document(1001, "no-such-file")
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await app.bot.send_photo(1001, file_id)


async def test_photo_arrives_as_sizes_and_can_be_sent_back(sandbox: BotApiSandbox, app: Application) -> None:
    siti = sandbox.user(1001, "Siti")
    sent = await siti.send_photo(JPEG, caption="Papan informasi APBDes", width=1600, height=1200)
    assert [(size["width"], size["height"]) for size in sent.photo] == [(90, 68), (320, 240), (800, 600), (1600, 1200)]
    await siti.expect("Foto 1600x1200, 4 ukuran")
    back = await siti.expect("Foto kembali")
    assert back.photo == sent.photo and back.text == f"Foto kembali ({len(JPEG)} byte)"
    assert sandbox.downloaded(back.photo[0]["file_id"]) == JPEG


async def test_get_file_over_the_size_limit_is_bad_request() -> None:
    async with BotApiSandbox(TOKEN, file_size_limit=1000) as sandbox, running(build(sandbox)) as app:
        siti = sandbox.user(1001, "Siti")
        sent = await siti.send_document(PDF, file_name="rkpdes.pdf")  # 1,039 bytes: over the limit
        await siti.expect("Galat: File is too big")
        with pytest.raises(BadRequest, match=r"^File is too big$"):
            await app.bot.get_file(sent.document["file_id"])
        assert "files" not in app.bot_data


async def test_wrong_token_and_unknown_method(sandbox: BotApiSandbox) -> None:
    with pytest.raises(InvalidToken):
        await build(sandbox, token="654321:WRONG-TOKEN").initialize()
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{sandbox.base_url}654321:WRONG-TOKEN/getMe")
        unknown = await client.post(f"{sandbox.base_url}{TOKEN}/sendTelepathy", data={"chat_id": "1"})
        bad = await client.post(f"{sandbox.base_url}{TOKEN}/SENDMESSAGE", json={"chat_id": 1001, "text": "x"})
    assert (wrong.status_code, wrong.json()) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert (unknown.status_code, unknown.json()) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert bad.json() == {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    async with build(sandbox).bot as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendTelepathy")


async def test_commands_are_stored_per_scope(sandbox: BotApiSandbox, app: Application) -> None:
    siti, budi = sandbox.user(1001, "Siti"), sandbox.user(1002, "Budi")
    forum = sandbox.group(-100123, "Forum Desa Jatiroto")
    await app.bot.set_my_commands([("start", "Mulai")])
    await app.bot.set_my_commands(
        [("kirim", "Kirim dokumen"), ("status", "Status desa")], scope=BotCommandScopeChat(1001)
    )
    assert sandbox.commands_for(1001) == [("kirim", "Kirim dokumen"), ("status", "Status desa")]
    assert sandbox.commands_for(budi.id) == sandbox.commands_for(forum.id) == [("start", "Mulai")]
    assert await app.bot.get_my_commands(scope=BotCommandScopeChat(siti.id)) == (
        BotCommand("kirim", "Kirim dokumen"),
        BotCommand("status", "Status desa"),
    )
    await app.bot.delete_my_commands(scope=BotCommandScopeChat(1001))
    assert sandbox.commands_for(1001) == [("start", "Mulai")]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await app.bot.set_my_commands([("Kirim", "Kirim dokumen")])
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.set_my_commands([("kirim", "Kirim")], scope=BotCommandScopeChat(4242))


async def test_an_update_is_delivered_once_across_a_restart(sandbox: BotApiSandbox) -> None:
    siti = sandbox.user(1001, "Siti")
    async with running(build(sandbox)):
        await siti.send_text("halo")
        await siti.expect("Anda menulis: halo")
    async with running(build(sandbox)):
        await siti.send_text("lagi")
        await siti.expect("Anda menulis: lagi")
        await sandbox.settle()
    assert [m.text for m in siti.messages] == ["Anda menulis: halo", "Anda menulis: lagi"]


async def test_get_updates_offset_limit_and_long_polling(sandbox: BotApiSandbox) -> None:
    siti = sandbox.user(1001, "Siti")
    async with build(sandbox).bot as bot:
        for text in ("satu", "dua", "tiga"):
            await siti.send_text(text)
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first] == ["satu", "dua"]
        assert first[0].message.date == NOW
        again = await bot.get_updates()  # nothing confirmed yet: delivered again
        assert [u.update_id for u in again] == [u.update_id for u in first] + [first[-1].update_id + 1]
        assert await bot.get_updates(offset=again[-1].update_id + 1, timeout=0) == ()
        await sandbox.settle(quiet=0)

        waiting = bot.get_updates(offset=again[-1].update_id + 1, timeout=30)
        task = asyncio.create_task(waiting)
        await siti.send_text("empat")
        arrived = await asyncio.wait_for(task, 5)  # returned long before its 30 s timeout
        assert [u.message.text for u in arrived] == ["empat"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside RetryAfter
async def test_flood_control_answers_429(sandbox: BotApiSandbox) -> None:
    async with BotApiSandbox(TOKEN, flood_control=FloodControl(per_second=3, per_chat_per_second=1)) as limited:
        users = [limited.user(1000 + n, f"Warga {n}") for n in range(4)]
        async with build(limited).bot as bot:
            await bot.send_message(users[0].id, "satu")
            with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
                await bot.send_message(users[0].id, "dua")  # a second message to one chat within a second
            await bot.send_message(users[1].id, "satu")
            await bot.send_message(users[2].id, "satu")
            with pytest.raises(RetryAfter):
                await bot.send_message(users[3].id, "satu")  # the fourth message within a second overall
        assert limited.flood_429_count == 2
        assert [len(user.messages) for user in users] == [1, 1, 1, 0]
    async with build(sandbox).bot as bot:  # off by default
        sandbox.user(1001, "Siti")
        for n in range(5):
            await bot.send_message(1001, str(n))
        assert sandbox.flood_429_count == 0


async def test_groups_parse_modes_and_refusals(sandbox: BotApiSandbox, app: Application) -> None:
    siti, budi = sandbox.user(1001, "Siti"), sandbox.user(1002, "Budi", username="budi_kasi", label="Kasi Pemerintahan")
    forum = sandbox.group(-100123, "Forum Desa Jatiroto")
    await siti.send_text("/menu@ngobras_klambi_bot", chat=forum)
    await forum.expect("Pilih:")
    await budi.press("accept:7", chat=forum)  # by callback_data, a different person pressing in the group
    assert (await forum.expect("Tanda terima")).text == "Tanda terima: accept:7 oleh Budi"

    bold = await app.bot.send_message(1001, "<b>RKPDes</b> 2025 &amp; <i>APBDes</i>", parse_mode="HTML")
    assert bold.text == "RKPDes 2025 & APBDes" and [(e.type, e.offset, e.length) for e in bold.entities] == [
        ("bold", 0, 6),
        ("italic", 14, 6),
    ]
    assert (
        await app.bot.send_message(1001, r"*Batas* 30\.09\.2025", parse_mode="MarkdownV2")
    ).text == "Batas 30.09.2025"
    with pytest.raises(BadRequest, match=r'unsupported start tag "br" at byte offset 5'):
        await app.bot.send_message(1001, "baris<br>baris", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"character '\.' is reserved"):
        await app.bot.send_message(1001, "Batas 30.09.2025", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await app.bot.send_message(1001, "")
    stranger = sandbox.user(1003, "Tono", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await app.bot.send_message(stranger.id, "Halo")
    budi.blocked = True
    with pytest.raises(Forbidden, match="blocked by the user"):
        await app.bot.send_message(budi.id, "Halo")


async def test_transcript_reads_like_the_conversation(sandbox: BotApiSandbox, app: Application) -> None:
    siti = sandbox.user(1001, "Siti", label="Sekdes Rojopolo")
    kasi = sandbox.user(1002, "Budi", label="Kasi Pemerintahan")
    await siti.send_text("/menu")
    await siti.press("Terima")  # waits for the bot to show the button
    await siti.expect("Tanda terima")
    sent = await siti.send_document(PDF + bytes(200), file_name="rkpdes.pdf")
    await siti.expect("Diterima rkpdes.pdf")
    await app.bot.send_document(kasi.id, sent.document["file_id"], caption="RKPDes Rojopolo masuk.\nMohon diperiksa.")
    await sandbox.settle()
    assert sandbox.transcript() == [
        "Sekdes Rojopolo: /menu",
        "bot → Sekdes Rojopolo: Pilih: [Terima] [Tolak]",
        "Sekdes Rojopolo menekan [Terima]",
        "bot ⟶ pop-up: Diterima",
        "bot (ubah) → Sekdes Rojopolo: Tanda terima: accept:7 oleh Siti",
        "Sekdes Rojopolo: 📎 rkpdes.pdf (application/pdf, 1,2 KB)",
        f"bot → Sekdes Rojopolo: Diterima rkpdes.pdf: {len(PDF) + 200} byte",
        "bot → Kasi Pemerintahan: 📎 rkpdes.pdf (application/pdf, 1,2 KB) RKPDes Rojopolo masuk.\n  Mohon diperiksa.",
    ]
