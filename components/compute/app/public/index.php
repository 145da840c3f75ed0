<?php
// Front controller of the demo app: nginx (or `php -S ... index.php`) sends every request here.
declare(strict_types=1);

require __DIR__ . '/../src/config.php';
require __DIR__ . '/../src/database.php';
require __DIR__ . '/../src/cache.php';
require __DIR__ . '/../src/s3.php';

function respond_json(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    echo json_encode($body, JSON_UNESCAPED_SLASHES), "\n";
}

function html(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

// 200 only when the database and the cache both answer: the ALB and the Auto Scaling group
// take an instance that cannot serve out of rotation.
function healthz(): void
{
    $checks = [];
    try {
        webstack_db(true)->query('SELECT 1')->fetchColumn();
        $checks['database'] = 'ok';
    } catch (Throwable $e) {
        $checks['database'] = 'failing';
        error_log('healthz: database: ' . $e->getMessage());
    }
    try {
        $pong = webstack_cache()->command('PING');
        $checks['cache'] = $pong === 'PONG' ? 'ok' : 'failing';
    } catch (Throwable $e) {
        $checks['cache'] = 'failing';
        error_log('healthz: cache: ' . $e->getMessage());
    }
    $healthy = !in_array('failing', $checks, true);
    respond_json($healthy ? 200 : 503, ['status' => $healthy ? 'ok' : 'failing'] + $checks);
}

function session_page(): void
{
    webstack_start_session();
    $_SESSION['visits'] = ($_SESSION['visits'] ?? 0) + 1;
    if (isset($_GET['name'])) {
        $_SESSION['name'] = substr((string) $_GET['name'], 0, 100);
    }
    respond_json(200, [
        'visits' => $_SESSION['visits'],
        'name' => $_SESSION['name'] ?? null,
        'servedBy' => gethostname() . ':' . getmypid(),
    ]);
}

function notes_page(): void
{
    if ($_SERVER['REQUEST_METHOD'] === 'POST') {
        $body = trim((string) ($_POST['body'] ?? ''));
        if ($body === '') {
            respond_json(400, ['error' => 'body is empty']);
            return;
        }
        webstack_add_note($body);
    }
    respond_json(200, ['notes' => webstack_recent_notes()]);
}

function upload_page(): void
{
    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        header('Content-Type: text/html; charset=utf-8');
        echo '<form method="post" enctype="multipart/form-data">',
            '<input type="file" name="file"> <button>Upload</button></form>';
        return;
    }
    $file = $_FILES['file'] ?? null;
    if ($file === null || $file['error'] !== UPLOAD_ERR_OK) {
        respond_json(400, ['error' => 'no file received']);
        return;
    }
    $safe = preg_replace('/[^A-Za-z0-9._-]/', '_', basename((string) $file['name']));
    $prefix = webstack_config()['uploads']['prefix'] ?? 'uploads/';
    $key = $prefix . bin2hex(random_bytes(8)) . '-' . $safe;
    $type = function_exists('mime_content_type')
        ? (mime_content_type($file['tmp_name']) ?: 'application/octet-stream')
        : 'application/octet-stream';
    webstack_s3_put($key, (string) file_get_contents($file['tmp_name']), $type);
    // CloudFront serves the bucket's uploads/ prefix under /uploads/ on the site's own name.
    respond_json(201, ['url' => '/' . $key]);
}

// The web tier asks the app tier (behind the internal ALB) for its health: the URL comes from
// the stack (appTier.url in the app config); without an app tier there is nothing to ask.
function app_tier_page(): void
{
    $url = webstack_config()['appTier']['url'] ?? null;
    if ($url === null) {
        respond_json(404, ['error' => 'no app tier']);
        return;
    }
    [$status, $body] = webstack_http('GET', rtrim((string) $url, '/') . '/healthz');
    respond_json($status === 200 ? 200 : 502, [
        'appTier' => $status === 200 ? 'ok' : 'failing',
        'status' => $status,
        'response' => json_decode($body, true),
    ]);
}

function home_page(): void
{
    webstack_start_session();
    $_SESSION['visits'] = ($_SESSION['visits'] ?? 0) + 1;
    header('Content-Type: text/html; charset=utf-8');
    echo '<!doctype html><title>webstack</title><h1>webstack</h1>',
        '<p>Served by ', html((string) gethostname()), '; visits in this session: ',
        (int) $_SESSION['visits'], '</p>',
        '<form method="post" action="/notes"><input name="body"> <button>Add note</button></form>',
        '<p><a href="/notes">notes</a> | <a href="/upload">upload a file</a></p>';
}

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';
try {
    match ($path) {
        '/healthz' => healthz(),
        '/session' => session_page(),
        '/notes' => notes_page(),
        '/upload' => upload_page(),
        '/app' => app_tier_page(),
        '/' => home_page(),
        default => respond_json(404, ['error' => 'not found']),
    };
} catch (Throwable $e) {
    error_log('webstack: ' . $e->getMessage());
    respond_json(503, ['error' => 'temporarily unavailable']);
}
