/** An ApduChannel that protects every command and verifies every response with one SecureMessaging session. */
import type { ApduChannel } from '../apdu/channel.js';
import type { CommandApdu } from '../apdu/command.js';
import type { ResponseApdu } from '../apdu/response.js';
import type { SecureMessaging } from './secure-messaging.js';

export class SecureChannel implements ApduChannel {
  constructor(
    readonly inner: ApduChannel,
    readonly sm: SecureMessaging,
  ) {}

  async send(command: CommandApdu, step: string): Promise<ResponseApdu> {
    const wrapped = this.sm.wrap(command);
    let response: ResponseApdu;
    try {
      response = await this.inner.send(wrapped, step);
    } catch (e) {
      // The chip may or may not have counted this command: the SSC is unknowable now.
      this.sm.invalidate();
      throw e;
    }
    return this.sm.unwrap(response, step);
  }
}
