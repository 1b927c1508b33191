import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import { parseConfig, ConfigError } from '../config/index.js';
import { createLogger } from '../logger.js';
import { openRedis } from '../redis/resolve.js';
import { createApp } from '../app.js';
import { choicesNumbered } from '../engine/pages.js';
import type { Reply } from '../engine/types.js';

/** `npm run chat`: the simulator in a terminal. "/file <path>" sends a file; "/quit" leaves. */
async function main() {
  let config;
  try {
    config = parseConfig({ ...process.env, PORT: '0' });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
  if (config.SIMULATOR === 'off') {
    console.error('npm run chat is the simulator: with Telegram or Zalo configured it needs SIMULATOR=on and SIMULATOR_PASSWORD (it then uses the sandbox)');
    process.exit(1);
  }
  const redis = await openRedis(config);
  const main = await createApp(config, { redisUrl: redis.url, log: createLogger('warn') });
  // Next to real platforms the simulator talks to its sandbox, never to the real store.
  const app = main.sandbox ?? main;
  const users = await (await import('../demo/seed.js')).demoUsers(app.store, app.campaign, app.redis, app.prefix);
  const rl = readline.createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async () => {
    stdout.write('> ');
    const next = await lines.next();
    return next.done ? null : next.value;
  };
  console.log('thidua-bot — chat trong terminal. Chọn người dùng:');
  users.forEach((u, i) => console.log(`  ${i + 1}. ${u.label}`));
  const user = users[(Number((await ask())?.trim()) || 1) - 1] ?? users[0]!;
  console.log(`Bạn là: ${user.label}. Gõ "menu" để bắt đầu, "/file <đường dẫn>" để gửi tệp, "/quit" để thoát.\n`);

  const show = (replies: Reply[]) => {
    for (const r of replies) {
      console.log(`\n🤖 ${r.text}`);
      // Numbered as the other channels number them (src/engine/pages.ts); a number typed goes to the engine like any text.
      const numbered = choicesNumbered(r);
      r.choices?.forEach((c, i) => console.log(numbered ? `   [${i + 1}] ${c.label}` : `   [${c.label}]`));
    }
    console.log('');
  };
  for (let line = await ask(); line !== null; line = await ask()) {
    const text = line.trim();
    if (text === '/quit' || text === '/exit') break;
    if (text.startsWith('/file ')) {
      const file = text.slice(6).trim();
      try {
        const bytes = await fs.readFile(file);
        const id = await app.simulator.upload(bytes);
        show(await app.simulator.receive(user.id, { upload: { id, name: path.basename(file), size: bytes.length } }));
      } catch (err) {
        console.log(`Không đọc được tệp: ${(err as Error).message}`);
      }
      continue;
    }
    // Typed as on every channel: the engine takes a number or a label as the choice it names.
    show(await app.simulator.receive(user.id, { text }));
  }
  rl.close();
  await main.close();
  await redis.stop();
}

void main();
