// `npm run codec-server`: the codec server alone (infra/codec-server.ts), against DATABASE_URL (the
// staff keys) with PAYLOAD_KEYS. Put it behind the same authenticating proxy as the Temporal UI in
// production, on the same site, and point the UI's codec endpoint at it.
import { loadConfig } from '../infra/config';
import { codecServerSettingsFromEnv, startCodecServer } from '../infra/codec-server';
import { createDb } from '../infra/db';
import { payloadCodecFromConfig } from '../infra/payload-codec';
import { runMain, stopOnSignal } from './lifecycle';

async function main(): Promise<void> {
  const config = loadConfig();
  const codec = payloadCodecFromConfig(config);
  const settings = codecServerSettingsFromEnv();
  const db = await createDb(config.databaseUrl);
  const server = await startCodecServer({ db, codec, ...settings, publicHost: process.env.CODEC_PUBLIC_HOST });
  if (settings.generatedSecret) console.log('[codec-server] CODEC_SESSION_SECRET unset: sessions are signed with a secret generated now and end when this process stops');
  console.log(`[codec-server] listening on ${server.url} (current key id ${codec.currentKeyId}; decrypts ${codec.keyIds.join(', ')}; UI origins ${settings.uiOrigins.join(', ')})`);
  stopOnSignal('codec-server', async () => {
    await server.close();
    await db.$disconnect();
  });
}

runMain('codec-server', main);
