// TEST SUPPORT ONLY: a stand-in for host-child.js speaking the host protocol (host-protocol.ts) with one reader and
// one present card. A transmit with INS EE freezes the main thread for good (what pcsclite does when a transmit
// holding the reader mutex never returns); INS DD makes the process die mid-call. Everything else answers 9000.
const send = (event) => process.connected && process.send(event);
const T1 = 2;
const PRESENT = 0x20 | (1 << 16);

process.on('message', (m) => {
  switch (m.t) {
    case 'establish':
      send({ t: 'reader', gen: m.gen, rid: m.gen, name: 'Fake Reader 0' });
      send({ t: 'status', rid: m.gen, state: PRESENT, atr: Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01) });
      send({ t: 'enumerated', gen: m.gen });
      break;
    case 'call':
      if (m.op === 'connect') send({ t: 'result', id: m.id, connected: true, value: T1 });
      else if (m.op === 'disconnect') send({ t: 'result', id: m.id, connected: false });
      else if (m.op === 'transmit' && m.data[1] === 0xee) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      else if (m.op === 'transmit' && m.data[1] === 0xdd) process.exit(3);
      else send({ t: 'result', id: m.id, connected: true, value: Uint8Array.of(0x90, 0x00) });
      break;
    case 'ping':
      send({ t: 'pong', seq: m.seq });
      break;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
