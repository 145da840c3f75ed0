<?php
// The app's settings: one JSON file the instance's user data writes (/etc/webstack/app.json);
// WEBSTACK_CONFIG points elsewhere (the integration tests use local servers).
declare(strict_types=1);

const WEBSTACK_DEFAULT_CONFIG = '/etc/webstack/app.json';

function webstack_config(): array
{
    static $config = null;
    if ($config === null) {
        $path = getenv('WEBSTACK_CONFIG') ?: WEBSTACK_DEFAULT_CONFIG;
        $text = @file_get_contents($path);
        if ($text === false) {
            throw new RuntimeException("cannot read the app config at $path");
        }
        $config = json_decode($text, true, 16, JSON_THROW_ON_ERROR);
    }
    return $config;
}

// A secret written by webstack-secrets (the instance's timer copies it from Secrets Manager):
// a JSON object (RDS-managed secrets: username/password) or a bare string.
function webstack_secret(?string $path): array
{
    if ($path === null || $path === '') {
        return [];
    }
    $text = @file_get_contents($path);
    if ($text === false) {
        throw new RuntimeException("secret file $path is not readable yet");
    }
    $text = trim($text);
    $decoded = json_decode($text, true);
    return is_array($decoded) ? $decoded : ['value' => $text];
}
