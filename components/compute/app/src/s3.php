<?php
// Uploads to S3 with a SigV4-signed PUT, and RDS IAM auth tokens, using the instance role's credentials from IMDSv2.
// Amazon Linux 2023 packages no AWS SDK for PHP; one signed request needs none.
declare(strict_types=1);

const WEBSTACK_IMDS = 'http://169.254.169.254/latest';

function webstack_http(string $method, string $url, array $headers = [], string $body = ''): array
{
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => implode("\r\n", array_map(
            fn ($k, $v) => "$k: $v", array_keys($headers), array_values($headers)
        )),
        'content' => $body,
        'timeout' => 5,
        'ignore_errors' => true,
    ]]);
    $response = @file_get_contents($url, false, $context);
    $status = 0;
    foreach ($http_response_header ?? [] as $line) {
        if (preg_match('#^HTTP/\S+ (\d{3})#', $line, $m)) {
            $status = (int) $m[1];
        }
    }
    return [$status, $response === false ? '' : $response];
}

/** @return array{AccessKeyId: string, SecretAccessKey: string, Token: string} */
function webstack_instance_credentials(): array
{
    [, $token] = webstack_http('PUT', WEBSTACK_IMDS . '/api/token', [
        'X-aws-ec2-metadata-token-ttl-seconds' => '300',
    ]);
    $auth = ['X-aws-ec2-metadata-token' => $token];
    [, $role] = webstack_http('GET', WEBSTACK_IMDS . '/meta-data/iam/security-credentials/', $auth);
    [$status, $json] = webstack_http(
        'GET', WEBSTACK_IMDS . '/meta-data/iam/security-credentials/' . trim($role), $auth
    );
    if ($status !== 200) {
        throw new RuntimeException('no instance credentials');
    }
    return json_decode($json, true, 4, JSON_THROW_ON_ERROR);
}

// The SigV4 signing key for one day, region and service.
function webstack_sigv4_key(string $secret, string $date, string $region, string $service): string
{
    $key = 'AWS4' . $secret;
    foreach ([$date, $region, $service, 'aws4_request'] as $part) {
        $key = hash_hmac('sha256', $part, $key, true);
    }
    return $key;
}

// An RDS IAM auth token: a SigV4-presigned `Action=connect` for host:port (service rds-db),
// valid 15 minutes, used as the password (over TLS) by a user the role may rds-db:connect as.
// (Credentials and time are parameters for the tests; the app passes neither.)
function webstack_rds_auth_token(
    string $host,
    int $port,
    string $user,
    string $region,
    ?array $credentials = null,
    ?int $time = null
): string {
    $credentials ??= webstack_instance_credentials();
    $now = gmdate('Ymd\THis\Z', $time ?? time());
    $date = substr($now, 0, 8);
    $scope = "$date/$region/rds-db/aws4_request";
    $query = [
        'Action' => 'connect',
        'DBUser' => $user,
        'X-Amz-Algorithm' => 'AWS4-HMAC-SHA256',
        'X-Amz-Credential' => "{$credentials['AccessKeyId']}/$scope",
        'X-Amz-Date' => $now,
        'X-Amz-Expires' => '900',
        'X-Amz-Security-Token' => $credentials['Token'],
        'X-Amz-SignedHeaders' => 'host',
    ];
    ksort($query, SORT_STRING);
    $canonicalQuery = http_build_query($query, '', '&', PHP_QUERY_RFC3986);
    $canonical = "GET\n/\n$canonicalQuery\nhost:$host:$port\n\nhost\n" . hash('sha256', '');
    $toSign = "AWS4-HMAC-SHA256\n$now\n$scope\n" . hash('sha256', $canonical);
    $signature = hash_hmac(
        'sha256', $toSign, webstack_sigv4_key($credentials['SecretAccessKey'], $date, $region, 'rds-db')
    );
    return "$host:$port/?$canonicalQuery&X-Amz-Signature=$signature";
}

function webstack_s3_put(string $key, string $body, string $contentType): void
{
    $uploads = webstack_config()['uploads'];
    $region = $uploads['region'];
    $host = $uploads['bucket'] . ".s3.$region.amazonaws.com";
    $credentials = webstack_instance_credentials();
    $now = gmdate('Ymd\THis\Z');
    $date = substr($now, 0, 8);
    $path = '/' . implode('/', array_map('rawurlencode', explode('/', $key)));
    $payloadHash = hash('sha256', $body);
    $headers = [
        'content-type' => $contentType,
        'host' => $host,
        'x-amz-content-sha256' => $payloadHash,
        'x-amz-date' => $now,
        'x-amz-security-token' => $credentials['Token'],
    ];
    ksort($headers);
    $canonicalHeaders = '';
    foreach ($headers as $name => $value) {
        $canonicalHeaders .= $name . ':' . trim($value) . "\n";
    }
    $signedHeaders = implode(';', array_keys($headers));
    $canonical = "PUT\n$path\n\n$canonicalHeaders\n$signedHeaders\n$payloadHash";
    $scope = "$date/$region/s3/aws4_request";
    $toSign = "AWS4-HMAC-SHA256\n$now\n$scope\n" . hash('sha256', $canonical);
    $signature = hash_hmac(
        'sha256', $toSign, webstack_sigv4_key($credentials['SecretAccessKey'], $date, $region, 's3')
    );
    $headers['authorization'] = "AWS4-HMAC-SHA256 Credential={$credentials['AccessKeyId']}/$scope, "
        . "SignedHeaders=$signedHeaders, Signature=$signature";
    unset($headers['host']);
    [$status, $response] = webstack_http('PUT', "https://$host$path", $headers, $body);
    if ($status !== 200) {
        throw new RuntimeException("S3 PUT $key failed ($status): " . substr($response, 0, 200));
    }
}
