<?php
// A minimal Valkey/Redis client (RESP2 over a TCP or TLS stream) and a session handler on it.
// Hand-written because Amazon Linux 2023 packages no phpredis extension; the app needs only
// AUTH, PING, GET, SETEX, DEL and EXPIRE.
declare(strict_types=1);

final class CacheClient
{
    /** @var resource */
    private $stream;

    public function __construct(array $cache)
    {
        $timeout = (float) ($cache['connectTimeout'] ?? 2);
        $scheme = !empty($cache['tls']) ? 'tls' : 'tcp';
        $context = stream_context_create(['ssl' => [
            'verify_peer' => true,
            'verify_peer_name' => true,
            'peer_name' => $cache['host'],
        ]]);
        $address = sprintf('%s://%s:%d', $scheme, $cache['host'], (int) $cache['port']);
        $stream = @stream_socket_client(
            $address, $errno, $error, $timeout, STREAM_CLIENT_CONNECT, $context
        );
        if ($stream === false) {
            throw new RuntimeException("cache unreachable at $address: $error");
        }
        stream_set_timeout($stream, (int) ceil($timeout));
        $this->stream = $stream;
        $secret = webstack_secret($cache['authFile'] ?? null);
        $token = $secret['authToken'] ?? $secret['password'] ?? $secret['value']
            ?? $cache['password'] ?? null;
        if ($token !== null && $token !== '') {
            $this->command('AUTH', $token);
        }
    }

    public function command(string ...$parts): mixed
    {
        $request = '*' . count($parts) . "\r\n";
        foreach ($parts as $part) {
            $request .= '$' . strlen($part) . "\r\n" . $part . "\r\n";
        }
        if (@fwrite($this->stream, $request) !== strlen($request)) {
            throw new RuntimeException('cache write failed');
        }
        return $this->reply();
    }

    private function reply(): mixed
    {
        $line = fgets($this->stream);
        if ($line === false) {
            throw new RuntimeException('cache read failed');
        }
        $type = $line[0];
        $payload = substr($line, 1, -2);
        switch ($type) {
            case '+':
                return $payload;
            case '-':
                throw new RuntimeException("cache error: $payload");
            case ':':
                return (int) $payload;
            case '$':
                $length = (int) $payload;
                if ($length < 0) {
                    return null;
                }
                $data = '';
                while (strlen($data) < $length + 2) {
                    $chunk = fread($this->stream, $length + 2 - strlen($data));
                    if ($chunk === false || $chunk === '') {
                        throw new RuntimeException('cache read failed');
                    }
                    $data .= $chunk;
                }
                return substr($data, 0, $length);
            case '*':
                $count = (int) $payload;
                if ($count < 0) {
                    return null;
                }
                $items = [];
                for ($i = 0; $i < $count; $i++) {
                    $items[] = $this->reply();
                }
                return $items;
        }
        throw new RuntimeException('unexpected cache reply');
    }
}

function webstack_cache(): CacheClient
{
    static $client = null;
    return $client ??= new CacheClient(webstack_config()['cache']);
}

// Sessions live in the cache, so any instance serves any user and instances stay stateless.
final class CacheSessionHandler implements
    SessionHandlerInterface,
    SessionUpdateTimestampHandlerInterface
{
    private const PREFIX = 'webstack:session:';

    public function __construct(private int $lifetime)
    {
    }

    public function open(string $path, string $name): bool
    {
        return true;
    }

    public function close(): bool
    {
        return true;
    }

    public function read(string $id): string|false
    {
        return (string) webstack_cache()->command('GET', self::PREFIX . $id);
    }

    public function write(string $id, string $data): bool
    {
        webstack_cache()->command('SETEX', self::PREFIX . $id, (string) $this->lifetime, $data);
        return true;
    }

    public function destroy(string $id): bool
    {
        webstack_cache()->command('DEL', self::PREFIX . $id);
        return true;
    }

    public function gc(int $max_lifetime): int|false
    {
        return 0; // keys expire on their own
    }

    // Strict mode: an id the cache does not hold (forged, or expired) is replaced.
    public function validateId(string $id): bool
    {
        return webstack_cache()->command('EXISTS', self::PREFIX . $id) === 1;
    }

    public function updateTimestamp(string $id, string $data): bool
    {
        webstack_cache()->command('EXPIRE', self::PREFIX . $id, (string) $this->lifetime);
        return true;
    }
}

function webstack_start_session(): void
{
    $lifetime = (int) (webstack_config()['sessionLifetime'] ?? 3600);
    session_set_save_handler(new CacheSessionHandler($lifetime), true);
    session_name('WEBSTACKSESSID');
    session_start([
        'cookie_httponly' => true,
        'cookie_samesite' => 'Lax',
        'cookie_secure' => !empty(webstack_config()['secureCookies']),
        'use_strict_mode' => true,
    ]);
}
