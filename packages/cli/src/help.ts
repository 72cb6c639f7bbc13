/**
 * The usage texts: `cccd help`, `cccd help COMMAND`, `cccd COMMAND --help`, and `cccd --version`. They point to the
 * package's README (shipped in the tarball), never to a file of the source repository.
 */
import { readFileSync } from 'node:fs';

const CARD = `card (one of):
  --simulate PROFILE     an in-process simulated card (cccd sim profiles), no reader needed
    --fault NAME=VALUE     simulator fault injection, repeatable (cccd sim faults)
    --chip NAME=VALUE      simulator chip behaviour, repeatable (cccd sim chip-options)
  --reader NAME          the PC/SC reader to use (default: the first with a card; see cccd readers)
  --timeout SECONDS      how long to wait for a card (default 30)
  --extended             force extended-length APDUs
access key (exactly one):
  --can 6DIGITS          the card access number printed on the card
  --id NUMBER --dob YYYY-MM-DD --expiry YYYY-MM-DD|none
  --mrz TEXT             the three MRZ lines, joined
  --qr TEXT              the payload of the card's QR code
  --access auto|pace|bac which protocol to use (default auto)`;

const TRUST = `  --trust PATH           CSCA certificates (.pem .der .crt .cer), CRLs (.crl), master lists (.ml) or LDIF,
                         file or folder, repeatable; a path that loads nothing is an error (exit 2).
                         Default: the store filled by \`cccd trust import\``;

const COMMON = '  --lang vi|en           language of the messages (default: from LANG/LC_ALL)';

export const COMMAND_HELP: Record<string, string> = {
  read: `usage: cccd read [card] [key] [options]

Wait for a card, read it, verify it (passive authentication against the trust anchors, chip and active
authentication on the live chip) and print the result. The verdict is printed first. When the card fails
verification its personal data is withheld unless --show-invalid is given.

${CARD}
options:
${TRUST}
  --groups dg1,dg2,...   data groups to read (com, sod, dg1, dg2, dg13, dg14, dg15; default dg1,dg2,dg13)
  --photo FILE           write the face image (DG2) to FILE
  --evidence FILE        write an evidence bundle (for cccd verify --evidence)
  --json                 print one JSON object instead of the summary (dates in ISO form)
  --show-invalid         print the personal data even when verification is not valid
${COMMON}

exit: 0 valid, 2 usage, 3 verification not valid, 4 access denied, 5 card/reader I/O, 6 no reader/card/timeout
`,
  readers: `usage: cccd readers [--json] [--lang vi|en]

List the PC/SC readers and whether a card is present. Exit 6 when the PC/SC service is not running.
`,
  dump: `usage: cccd dump --out DIR [card] [key] [--groups dg1,...] [--json] [--lang vi|en]

Read the raw files (EF.CardAccess, EF.COM, DG*, EF.SOD) into DIR with manifest.json (names, sizes, SHA-256).
Check them later with \`cccd verify --dir DIR\`.

${CARD}
`,
  verify: `usage: cccd verify (--dir DIR | --evidence FILE) [--trust PATH]... [--json] [--lang vi|en]

Passive authentication offline, on a \`cccd dump\` folder or an evidence bundle (\`cccd read --evidence\`).

options:
${TRUST}

exit: 0 valid, 2 usage, 3 not valid
`,
  diagnose: `usage: cccd diagnose [card] [key] [--trust PATH]... [--json] [--out FILE] [--no-probes]

Read the card with an APDU trace and print a chip profile that holds no personal data (protocols, algorithms,
sizes, status words, timings), to send when a real card misbehaves. Exit 0 when the read completed, whatever
the verdict.

${CARD}
options:
${TRUST}
  --out FILE             also write the JSON profile to FILE
  --no-probes            skip the extra capability probes
`,
  trust: `usage: cccd trust import PATH... [--store DIR] [--json]
       cccd trust list [--store DIR] [--json]

import: check that each file or folder loads (CSCA certificates .pem .der .crt .cer, CRLs .crl, master lists .ml,
        LDIF .ldif) and copy it into the store; a path that loads nothing is an error (exit 2).
list:   explain what the store holds.
The store: --store DIR, else $CCCD_TRUST_STORE, else $XDG_CONFIG_HOME/cccd/trust, else ~/.config/cccd/trust.
read, verify and diagnose use it when no --trust is given.
`,
  demo: `usage: cccd demo [--profile NAME] [--json] [--lang vi|en]

Personalise a simulated CCCD in memory, read it with PACE-CAN, verify it against its own test CSCA and print
the result. No reader, no pcscd, no network; every person in it is invented.
`,
  agent: `usage: cccd agent [--config FILE] [--port N] [--simulate] [--demo-backend] [--lang vi|en]

Run the kiosk agent, a local WebSocket service for web pages (@cccd/client). Prints
"listening on http://127.0.0.1:PORT" when ready; stops on SIGINT/SIGTERM.
--demo-backend also runs the demo backend (@cccd/server, in memory, on a loopback port) and turns on
demo mode: the demo pages get their tickets from it and it verifies their results.
`,
  server: `usage: cccd server --config FILE [--port N] [--lang vi|en]

Run the CCCD backend (@cccd/server): POST /tickets signs ES256 tickets for the kiosk agents, POST /results
checks a signed read result (single-use nonce, enrolled agent, fields, evidence re-verified). The config file
(JSON) names the issuer, the ticket key file, the front-desk origins, the trust files, the enrolled agents and
optionally Redis (several instances). Prints "listening on http://HOST:PORT" when ready; stops on SIGINT/SIGTERM.
A configuration it cannot start with (or a port in use) exits 2 with one line. Details: the README.md of
the @cccd/server package.
`,
};

export const USAGE = `usage: cccd <command> [options]

commands:
  read        wait for a card, read it, verify it and print the result (exit 0 valid, 3 not valid)
  readers     list the PC/SC readers and whether a card is present
  dump        read the raw files (EF.COM, DG*, EF.SOD) into a folder with a manifest
  verify      passive authentication offline, on a dump folder or an evidence bundle
  diagnose    read the card with an APDU trace and print a chip profile with no personal data (exit 0 when
              the read completed, whatever the verdict); --json or --out FILE for the JSON to send
  trust       import | list trust anchors (CSCA certificates, CRLs, master lists, LDIF)
  demo        read a simulated CCCD end to end and print the verified result
  sim ...     the software card: personalise, run, profiles, faults, chip-options (cccd sim help)
  agent       the kiosk agent (local WebSocket service)
  server      the backend for the agents: tickets and verified results
  help        this text; cccd help <command> (or cccd <command> --help) for one command

options: --version (-V) prints the version

exit codes: 0 ok, 2 usage, 3 verification not valid, 4 access denied, 5 card/reader I/O failure,
            6 no reader, no card or timeout. Details: the README.md of the @cccd/cli package.
`;

/** The version in this package's package.json (dist/ and src/ both sit one level below it). */
export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
