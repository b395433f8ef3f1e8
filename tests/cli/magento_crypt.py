# Magento's SodiumChachaIetf in Python (PyNaCl): the nonce is also the associated data.
# Usage: magento_crypt.py encrypt|decrypt CRYPT_KEY VALUE
import base64, os, sys
from nacl.bindings import (
    crypto_aead_chacha20poly1305_ietf_decrypt as dec,
    crypto_aead_chacha20poly1305_ietf_encrypt as enc,
)

def key_of(k):
    return base64.b64decode(k[6:]) if k.startswith("base64") else k.encode()

mode, crypt_key, value = sys.argv[1], sys.argv[2], sys.argv[3]
keys = [key_of(k) for k in crypt_key.split()]
if mode == "encrypt":
    nonce = os.urandom(12)
    raw = nonce + enc(value.encode(), nonce, nonce, keys[-1])
    print(f"{len(keys) - 1}:3:" + base64.b64encode(raw).decode(), end="")
else:
    version, cipher, data = value.split(":", 2)
    raw = base64.b64decode(data)
    nonce = raw[:12]
    print(dec(raw[12:], nonce, nonce, keys[int(version)]).decode(), end="")
