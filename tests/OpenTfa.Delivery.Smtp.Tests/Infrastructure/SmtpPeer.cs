using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenTfa.Delivery.Smtp.Tests.Infrastructure;

/// <summary>
/// The SMTP server of tests/peers/smtp (nodemailer's smtp-server) as a child process on
/// 127.0.0.1: a plain port, a STARTTLS port and an implicit-TLS port with a self-signed
/// certificate made with openssl at start, AUTH PLAIN/LOGIN, and an HTTP API listing what it
/// received. Disposing kills exactly its PID.
/// </summary>
public sealed partial class SmtpPeer : IAsyncDisposable
{
    public const string User = "opentfa";
    public const string Password = "s3cret-pass";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly PeerProcess _process;
    private readonly HttpClient _control;
    private readonly string _certificateDirectory;

    private SmtpPeer(PeerProcess process, Match ports, string certificateDirectory)
    {
        _process = process;
        _certificateDirectory = certificateDirectory;
        PlainPort = int.Parse(ports.Groups["plain"].Value, CultureInfo.InvariantCulture);
        StartTlsPort = int.Parse(ports.Groups["starttls"].Value, CultureInfo.InvariantCulture);
        TlsPort = int.Parse(ports.Groups["tls"].Value, CultureInfo.InvariantCulture);
        _control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Groups["control"].Value}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int PlainPort { get; }

    public int StartTlsPort { get; }

    public int TlsPort { get; }

    public static string Directory { get; } = Repository.Folder("tests/peers/smtp", "smtp.js");

    public static async Task<SmtpPeer> StartAsync()
    {
        await EnsureInstalledAsync();
        string certs = System.IO.Directory.CreateTempSubdirectory("opentfa-smtp-peer-").FullName;
        await PeerProcess.RunCheckedAsync(
            new ProgramStart("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(certs, "key.pem"),
                "-out", Path.Combine(certs, "cert.pem"), "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            {
                WorkingDirectory = certs,
                MissingHint = "The SMTP tests make a self-signed certificate with openssl: run ./test.sh, which installs it (or apt-get install -y openssl).",
            },
            TimeSpan.FromMinutes(1));

        PeerProcess process = NodePeer.Start(Directory, "smtp.js",
            ["--cert", Path.Combine(certs, "cert.pem"), "--key", Path.Combine(certs, "key.pem"), "--user", User, "--password", Password]);
        try
        {
            return new SmtpPeer(process, await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(30)), certs);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs npm ci in tests/peers/smtp when its packages are missing; fails with what to do when that is impossible.</summary>
    public static Task EnsureInstalledAsync() => NodePeer.EnsureInstalledAsync(Directory, "smtp-server", "mailparser");

    public async Task<IReadOnlyList<ReceivedMail>> MessagesAsync() =>
        (await _control.GetFromJsonAsync<List<ReceivedMail>>("messages", JsonOptions))!;

    /// <summary>Waits for a message to <paramref name="recipient"/> (envelope), case-insensitively.</summary>
    public async Task<ReceivedMail> WaitForMessageAsync(string recipient, TimeSpan? timeout = null)
    {
        ReceivedMail? mail = await Poll.UntilAsync(
            async () => (await MessagesAsync()).FirstOrDefault(m => m.EnvelopeTo.Contains(recipient, StringComparer.OrdinalIgnoreCase)),
            mail => mail is not null,
            timeout ?? TimeSpan.FromSeconds(15),
            _ => $"No message to {recipient} arrived; the SMTP server said: {_process.Output}");
        return mail!;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _control.Dispose();
        try
        {
            System.IO.Directory.Delete(_certificateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    [GeneratedRegex(@"^listening plain=(?<plain>\d+) starttls=(?<starttls>\d+) tls=(?<tls>\d+) control=(?<control>\d+)$")]
    private static partial Regex ReadyLine();
}

public sealed record MailAddressJson(string? Name, string? Address);

public sealed record ReceivedMail(
    string QueueId,
    string Mode,
    string? EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    string? User,
    bool Secure,
    string? Helo,
    string? MessageId,
    string? Subject,
    IReadOnlyList<MailAddressJson> From,
    IReadOnlyList<MailAddressJson> To,
    string? Date,
    string? Text,
    string? Html,
    string? ContentType,
    string Raw);

/// <summary>One SMTP server for the whole collection; each test uses its own recipients.</summary>
public sealed class SmtpPeerFixture : SharedFixture<SmtpPeer>
{
    public SmtpPeer Peer => Value;

    protected override Task<SmtpPeer> StartAsync() => SmtpPeer.StartAsync();
}

[CollectionDefinition(Name)]
public sealed class SmtpCollection : ICollectionFixture<SmtpPeerFixture>
{
    public const string Name = "SMTP server";
}
