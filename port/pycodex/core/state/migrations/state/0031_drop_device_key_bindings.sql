DROP TABLE IF EXISTS device_key_bindings;
