import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (OWASP-level memory and time cost); see docs/adr.
@Injectable()
export class PasswordHasher {
  // Verified against when the user does not exist, so a login for an unknown
  // name costs the same as one with a wrong password.
  private readonly decoy = hash('decoy-password-for-timing');

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash ?? (await this.decoy), password);
    } catch {
      return false;
    }
  }
}
