// End-to-end journeys in Debian's Chromium against a real `phuket serve` on SQLite (see server.mjs).
// Run: npm run e2e (after npm run build). Screenshots go to e2e/screenshots/ (gitignored).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DESKTOP, PHONE, launch, shoot } from "./browser.mjs";
import { startServer } from "./server.mjs";

let server;
let browser;
let page;
const errors = [];

function phuketDate(offsetDays) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Bangkok" }).format(new Date());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}

async function heading(text) {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

describe("web client journeys", { concurrency: false }, () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await browser.context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("sign up, browse scooters in Russian, book one, pay cash, see it in My bookings, cancel it", async () => {
    await page.goto(`${server.baseURL}/`);
    await page.getByRole("button", { name: "RU" }).click();
    await heading("Ваш отдых на Пхукете");
    await shoot(page, "home");

    await page.goto(`${server.baseURL}/register`);
    await heading("Регистрация");
    await page.getByLabel("Ваше имя").fill("Анна Петрова");
    await page.getByLabel("Эл. почта").fill(`anna-${Date.now()}@example.com`);
    await page.getByLabel("Пароль").fill("Sunny-beach-42");
    await shoot(page, "register");
    await page.getByRole("button", { name: "Зарегистрироваться" }).click();
    await heading("Мои бронирования");
    await page.getByText("Бронирований пока нет.").waitFor();

    await page.getByRole("navigation", { name: "Главное меню" }).last().getByRole("link", { name: "Транспорт" }).click();
    await heading("Транспорт");
    await page.getByRole("button", { name: "Скутеры" }).click();
    await page.waitForURL(/type=scooter/);
    const cards = page.locator(".item-card");
    await cards.first().waitFor();
    assert.ok((await cards.count()) > 0, "scooters are listed");
    await shoot(page, "transport");

    await cards.first().getByRole("link").click();
    await page.getByRole("heading", { name: "Бронирование" }).waitFor();
    await page.locator(".calendar-grid .day").first().waitFor();
    await page.getByLabel("С", { exact: true }).fill(phuketDate(3));
    await page.getByLabel("По", { exact: true }).fill(phuketDate(5));
    await page.getByTestId("quote").getByText("Итого").waitFor();
    await shoot(page, "vehicle-detail");
    await page.getByRole("button", { name: "Забронировать" }).click();

    await heading("Оплата");
    const code = (await page.locator(".code").first().textContent()).trim();
    assert.match(code, /^[A-Z0-9-]{4,}$/);
    await page.getByLabel(/Наличными на месте/).check();
    await shoot(page, "payment");
    await page.getByRole("button", { name: "Оплатить" }).click();
    await page.getByText(`Бронирование ${code} — в разделе`).waitFor();

    await page.getByRole("link", { name: "Мои бронирования" }).click();
    await heading("Мои бронирования");
    const booking = page.getByTestId("booking").filter({ hasText: code });
    await booking.waitFor();
    await shoot(page, "my-bookings");

    await booking.getByRole("link", { name: "Ваучер" }).click();
    await heading("Ваучер");
    await page.getByTestId("confirmation-code").getByText(code).waitFor();
    await page.getByRole("img", { name: new RegExp(code) }).waitFor();
    await shoot(page, "voucher");

    // Offline: the service worker serves the app, the device keeps the voucher.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await page.getByTestId("confirmation-code").getByText(code).waitFor();
      await page.getByText("Нет сети").waitFor();
    } finally {
      await browser.context.setOffline(false);
    }

    await page.goto(`${server.baseURL}/profile`);
    const again = page.getByTestId("booking").filter({ hasText: code });
    await again.getByRole("button", { name: "Отменить бронирование" }).click();
    const dialog = again.getByRole("alertdialog");
    await dialog.getByText(/Вам вернут/).waitFor();
    await shoot(page, "cancel");
    await dialog.getByRole("button", { name: "Да, отменить" }).click();
    await page.getByText(/Отменено\. Возврат/).waitFor();
    assert.equal(await page.getByTestId("booking").filter({ hasText: code }).getAttribute("data-status"), "cancelled");
  });

  test("forgot password: the emailed link sets a new password", async () => {
    const email = `reset-${Date.now()}@example.com`;
    const created = await fetch(`${server.baseURL}/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: "Sunny-beach-42", fullName: "Олег", language: "ru" }),
    });
    assert.equal(created.status, 201);
    await page.goto(`${server.baseURL}/login`);
    await page.getByRole("link", { name: "Забыли пароль?" }).click();
    await heading("Восстановление пароля");
    await page.getByLabel("Эл. почта").fill(email);
    await page.getByRole("button", { name: "Прислать ссылку" }).click();
    await page.getByRole("status").waitFor();
    // No SendGrid key: the worker writes the email to the local mailbox (what a developer would read).
    const mailbox = join(server.dataDir, "mailbox");
    let link = null;
    for (let i = 0; i < 60 && !link; i++) {
      const files = existsSync(mailbox) ? readdirSync(mailbox).filter((f) => f.endsWith(".eml")) : [];
      for (const file of files) {
        const raw = readFileSync(join(mailbox, file), "utf8");
        if (!raw.includes(email)) continue;
        // The parts are base64 (UTF-8 Russian text), as a mail client receives them: decode each block.
        const decoded = [...raw.matchAll(/base64\r?\n(?:[^\n]*\r?\n)?\r?\n([A-Za-z0-9+/=\r\n]+)/g)]
          .map((m) => Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8"))
          .join("\n");
        const found = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(decoded);
        if (found) link = `/reset-password?token=${found[1]}`;
      }
      if (!link) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(link, "the reset email reached the mailbox");
    await page.goto(`${server.baseURL}${link}`);
    await heading("Задайте новый пароль");
    await page.locator("input[name=newPassword]").fill("New-island-2027");
    await page.getByRole("button", { name: "Сохранить пароль" }).click();
    await page.getByRole("status").waitFor();
    const login = await fetch(`${server.baseURL}/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: "New-island-2027" }),
    });
    assert.equal(login.status, 200, "the new password works");
  });

  test("convert 10,000 RUB to THB", async () => {
    await page.goto(`${server.baseURL}/currency`);
    await heading("Конвертер валют");
    await page.getByLabel("Сумма").fill("10000");
    await page.getByLabel("Из", { exact: true }).selectOption("RUB");
    await page.getByLabel("В", { exact: true }).selectOption("THB");
    await page.getByRole("button", { name: "Пересчитать" }).click();
    const result = page.getByTestId("conversion");
    await result.getByText(/1 RUB = [\d.]+ THB/).waitFor();
    const text = await result.locator(".big strong").textContent();
    const thb = Number(text.replace(/[^\d,]/g, "").replace(",", "."));
    assert.ok(thb > 1000 && thb < 10000, `10,000 RUB is a plausible amount of THB (${text})`);
    await shoot(page, "currency");
  });

  test("ask the assistant about Phi Phi and follow an action", async () => {
    await page.goto(`${server.baseURL}/assistant`);
    await heading("Помощник путешественника");
    await page.getByLabel("Ваш вопрос").fill("Как добраться до Пхи-Пхи?");
    await page.getByRole("button", { name: "Отправить" }).click();
    const reply = page.getByTestId("chat-assistant").last();
    await reply.waitFor({ timeout: 30_000 });
    assert.ok((await reply.locator(".chat-text").textContent()).length > 20, "a real answer");
    await shoot(page, "assistant");
    const action = reply.locator("a.chip").first();
    await action.waitFor();
    const href = await action.getAttribute("href");
    await action.click();
    await page.waitForURL((url) => url.pathname + url.search === href);
    await page.getByRole("heading", { level: 1 }).waitFor();
    assert.equal(await page.locator(".error").count(), 0, "the action's target loads without an error");
  });

  test("main screens at phone and desktop width", async () => {
    await page.getByRole("button", { name: "EN" }).click();
    for (const [name, path, ready] of [
      ["en-home", "/", "Your holiday in Phuket"],
      ["en-accommodation", "/accommodation", "Accommodation"],
      ["en-tours", "/tours", "Tours"],
      ["en-profile", "/profile", "My bookings"],
      ["en-login", "/login", "Log in"],
    ]) {
      await page.goto(`${server.baseURL}${path}`);
      await heading(ready);
      await page.waitForLoadState("networkidle");
      await shoot(page, name);
    }
    await page.goto(`${server.baseURL}/tours`);
    await page.locator(".item-card a").first().click();
    await page.getByRole("heading", { name: "Book" }).waitFor();
    await page.locator(".calendar-grid .day").first().waitFor();
    await shoot(page, "en-tour-detail");
    assert.deepEqual([PHONE.width, DESKTOP.width], [390, 1280]);
    assert.deepEqual(errors, [], "no uncaught errors in the page");
  });
});
