using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Server.WebConsole;

/// <summary>
/// The console's page and its built assets, embedded in the server assembly (built from
/// <c>console/</c> with <c>npm run build</c>; a test rebuilds them and compares). Every answer
/// carries a strict Content-Security-Policy: scripts, styles and connections only from this
/// server, no inline script or style, no framing.
/// </summary>
internal static class ConsoleAssets
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, ConsoleAsset> Assets = Load();

    public static string Index { get; } = Encoding.UTF8.GetString(Read("index.html"));

    public static ConsoleAsset? Find(string name) => Assets.GetValueOrDefault(name);

    public static void Headers(HttpResponse response, bool cacheable)
    {
        IHeaderDictionary headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        headers.CacheControl = cacheable ? "no-cache" : "no-store";
    }

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (string name in new[] { "console.js", "console.css", "favicon.svg" })
        {
            byte[] content = Read(name);
            string type = Path.GetExtension(name) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "image/svg+xml",
            };
            assets[name] = new ConsoleAsset(content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content), 0, 16)}\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(string name)
    {
        using Stream stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("console/" + name)
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the server; run `npm run build` in console/.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);
