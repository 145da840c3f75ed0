<?php
// PostgreSQL or MySQL through PDO; credentials from the config (tests) or the RDS secret.
declare(strict_types=1);

function webstack_db(bool $writer = true): PDO
{
    static $connections = [];
    $key = $writer ? 'writer' : 'reader';
    if (isset($connections[$key])) {
        return $connections[$key];
    }
    $db = webstack_config()['database'];
    $secret = webstack_secret($db['secretFile'] ?? null);
    $user = $secret['username'] ?? $db['user'] ?? '';
    $password = $secret['password'] ?? $db['password'] ?? '';
    $host = $writer ? $db['host'] : ($db['readerHost'] ?? $db['host']);
    $port = (int) $db['port'];
    // Through an RDS Proxy that requires IAM auth: a fresh token (15 minutes) as the password.
    $iam = !empty($db['iamAuth']);
    if ($iam) {
        $user = $db['user'] ?? $user;
        $password = webstack_rds_auth_token($host, $port, $user, (string) $db['region']);
    }
    $name = $db['name'];
    $timeout = (int) ($db['connectTimeout'] ?? 3);
    $options = [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => $timeout];
    if (($db['engine'] ?? 'pgsql') === 'mysql') {
        $dsn = "mysql:host=$host;port=$port;dbname=$name;charset=utf8mb4";
        if (!empty($db['tlsCaFile']) && is_readable($db['tlsCaFile'])) {
            $options[PDO::MYSQL_ATTR_SSL_CA] = $db['tlsCaFile'];
            $options[PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] = true;
        } elseif ($iam) {
            throw new RuntimeException('IAM database auth needs TLS: the RDS CA bundle is missing');
        }
    } else {
        $dsn = "pgsql:host=$host;port=$port;dbname=$name;connect_timeout=$timeout";
        // Verified against the RDS CA bundle the instance fetched at boot; encrypted regardless.
        if (!empty($db['tlsCaFile']) && is_readable($db['tlsCaFile'])) {
            $dsn .= ';sslmode=verify-full;sslrootcert=' . $db['tlsCaFile'];
        } else {
            $dsn .= ';sslmode=' . ($iam ? 'require' : ($db['sslmode'] ?? 'prefer'));
        }
    }
    return $connections[$key] = new PDO($dsn, $user, $password, $options);
}

function webstack_notes_table(PDO $pdo): void
{
    $serial = $pdo->getAttribute(PDO::ATTR_DRIVER_NAME) === 'mysql'
        ? 'BIGINT AUTO_INCREMENT PRIMARY KEY'
        : 'BIGSERIAL PRIMARY KEY';
    $pdo->exec(
        "CREATE TABLE IF NOT EXISTS notes (id $serial, body VARCHAR(500) NOT NULL, "
        . 'created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)'
    );
}

function webstack_add_note(string $body): void
{
    $pdo = webstack_db(true);
    webstack_notes_table($pdo);
    $statement = $pdo->prepare('INSERT INTO notes (body) VALUES (?)');
    $statement->execute([substr($body, 0, 500)]);
}

/** @return list<array{id: int, body: string, created_at: string}> */
function webstack_recent_notes(int $limit = 20): array
{
    $pdo = webstack_db(true);
    webstack_notes_table($pdo);
    $statement = $pdo->prepare('SELECT id, body, created_at FROM notes ORDER BY id DESC LIMIT ?');
    $statement->bindValue(1, $limit, PDO::PARAM_INT);
    $statement->execute();
    return $statement->fetchAll(PDO::FETCH_ASSOC);
}
