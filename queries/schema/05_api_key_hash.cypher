// Keys are looked up by the hash of their secret.
CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.secret_hash IS UNIQUE
