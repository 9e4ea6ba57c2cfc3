// A masto.js session against InfoConnect, as a browser client runs one: register an app,
// take the authorization code the person approved (read from stdin), exchange it with PKCE,
// then post with two pictures, read the home timeline, edit, bookmark, make a list, post a
// poll and stream. Each step prints one JSON line for the test to check.
//
//   node session.mjs http://127.0.0.1:PORT
import { createHash, randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { deflateSync } from "node:zlib";
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";

// masto.js 8 is written for Node.js 22; on 20 its streaming needs this one method of 22's.
Promise.withResolvers ??= function withResolvers() {
  let resolve, reject;
  const promise = new Promise((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
};

const OOB = "urn:ietf:wg:oauth:2.0:oob";
const SCOPES = "read write follow";
const url = process.argv[2];
const say = (step, data) => console.log(JSON.stringify({ step, ...data }));
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const next = async () => (await lines.next()).value;

// An 8×8 PNG in one colour (written here: the test needs no image library).
function png(red, green, blue) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(8).fill([red, green, blue]).flat())]);
  const raw = Buffer.concat(Array(8).fill(row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
async function main() {
  const anonymous = createRestAPIClient({ url });
  const app = await anonymous.v1.apps.create({
    clientName: "masto.js test",
    redirectUris: OOB,
    scopes: SCOPES,
    website: "https://github.com/neet/masto.js",
  });
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const authorize = new URL("/oauth/authorize", url);
  for (const [key, value] of Object.entries({
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: OOB,
    scope: SCOPES,
    code_challenge: challenge,
    code_challenge_method: "S256",
  })) {
    authorize.searchParams.set(key, value);
  }
  say("authorize", { url: authorize.href });

  const code = await next();
  const oauth = createOAuthAPIClient({ url });
  const token = await oauth.token.create({
    grantType: "authorization_code",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: OOB,
    code,
    scope: SCOPES,
    codeVerifier: verifier,
  });
  const masto = createRestAPIClient({ url, accessToken: token.accessToken });
  const me = await masto.v1.accounts.verifyCredentials();
  say("logged_in", { username: me.username, scope: token.scope });

  const pictures = [];
  for (const [name, colour] of [["green", [0, 128, 0]], ["black", [0, 0, 0]]]) {
    const file = new Blob([png(...colour)], { type: "image/png" });
    pictures.push(await masto.v2.media.create({ file, description: name }));
  }
  const status = await masto.v1.statuses.create({
    status: "Two cups from masto.js",
    mediaIds: pictures.map((m) => m.id),
    visibility: "private",
    spoilerText: "tea",
  });
  say("posted", {
    id: status.id,
    visibility: status.visibility,
    spoiler: status.spoilerText,
    media: status.mediaAttachments.map((m) => m.description),
  });
  const home = await masto.v1.timelines.home.list({ limit: 5 });
  say("home", { ids: home.map((s) => s.id) });
  const edited = await masto.v1.statuses.$select(status.id).update({ status: "Two cups of tea from masto.js" });
  say("edited", { content: edited.content, media: edited.mediaAttachments.length });
  await masto.v1.statuses.$select(status.id).bookmark();
  const bookmarks = await masto.v1.bookmarks.list();
  say("bookmarks", { ids: bookmarks.map((s) => s.id) });
  const list = await masto.v1.lists.create({ title: "Tea people" });
  say("list", { title: list.title });
  const poll = await masto.v1.statuses.create({
    status: "Which tea?",
    poll: { options: ["Green", "Oolong"], expiresIn: 3600 },
  });
  say("poll", { options: poll.poll.options.map((o) => o.title) });

  const instance = await masto.v2.instance.fetch();
  // The socket masto.js opens, watched so the test hears "listening" only once the
  // subscription is on its way (masto.js connects in the background).
  const subscribed = Promise.withResolvers();
  class WatchedWebSocket extends WebSocket {
    send(data) {
      super.send(data);
      if (String(data).includes('"subscribe"')) subscribed.resolve();
    }
  }
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: token.accessToken,
    implementation: WatchedWebSocket,
    log: process.env.MASTO_LOG || "warn",
  });
  const events = streaming.user.subscribe();
  const iterator = events[Symbol.asyncIterator]();
  const first = iterator.next();
  await subscribed.promise;
  // The server takes the subscription in its own time; a moment is plenty.
  await new Promise((resolve) => setTimeout(resolve, 500));
  say("listening", {});
  const timer = setTimeout(() => {
    say("timeout", {});
    process.exit(1);
  }, 15000);
  for (let pending = first; ; pending = iterator.next()) {
    const { value } = await pending;
    if (value.event === "update") {
      say("heard", { content: value.payload.content, account: value.payload.account.username });
      break;
    }
  }
  clearTimeout(timer);
  events.unsubscribe();
  streaming.close();
  process.exit(0);
}

main().catch((error) => {
  say("error", { message: String(error && error.message), status: error && error.statusCode });
  process.exit(1);
});
