using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
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

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly Process process;
    private readonly StringBuilder output;
    private readonly HttpClient control;
    private readonly string certificateDirectory;

    private SmtpPeer(Process process, StringBuilder output, Match ports, string certificateDirectory)
    {
        this.process = process;
        this.output = output;
        this.certificateDirectory = certificateDirectory;
        PlainPort = int.Parse(ports.Groups["plain"].Value, CultureInfo.InvariantCulture);
        StartTlsPort = int.Parse(ports.Groups["starttls"].Value, CultureInfo.InvariantCulture);
        TlsPort = int.Parse(ports.Groups["tls"].Value, CultureInfo.InvariantCulture);
        control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Groups["control"].Value}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int PlainPort { get; }

    public int StartTlsPort { get; }

    public int TlsPort { get; }

    public static string Directory { get; } = FindPeerDirectory();

    public static async Task<SmtpPeer> StartAsync()
    {
        await EnsureInstalledAsync();
        string certs = Path.Combine(Path.GetTempPath(), "opentfa-smtp-peer", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(certs);
        (int exit, string text) = await RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(certs, "key.pem"),
            "-out", Path.Combine(certs, "cert.pem"), "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], certs);
        if (exit != 0)
        {
            throw new InvalidOperationException(
                $"The SMTP tests make a self-signed certificate with openssl, which failed (exit {exit}): {text}. Install it (apt-get install -y openssl).");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "smtp.js", "--cert", Path.Combine(certs, "cert.pem"), "--key", Path.Combine(certs, "key.pem"), "--user", User, "--password", Password })
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (ReadyLine().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(match);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The SMTP server exited before it was ready: {Snapshot(output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new SmtpPeer(process, output, await ready.Task.WaitAsync(TimeSpan.FromSeconds(30)), certs);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs npm ci in tests/peers/smtp when its packages are missing; fails with what to do when that is impossible.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            (int nodeExit, string nodeText) = await RunAsync("node", ["--version"], Directory);
            if (nodeExit != 0)
            {
                throw new InvalidOperationException(
                    $"The SMTP tests run nodemailer's smtp-server from tests/peers/smtp with Node.js, but 'node --version' failed: {nodeText}. Install Node.js 20 and npm (apt-get install -y nodejs npm).");
            }

            if (File.Exists(Path.Combine(Directory, "node_modules", "smtp-server", "package.json")) && File.Exists(Path.Combine(Directory, "node_modules", "mailparser", "package.json")))
            {
                return;
            }

            (int npmExit, string npmText) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], Directory);
            if (npmExit != 0 || !File.Exists(Path.Combine(Directory, "node_modules", "smtp-server", "package.json")))
            {
                throw new InvalidOperationException($"'npm ci' in {Directory} did not install smtp-server and mailparser (exit {npmExit}): {npmText}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public async Task<IReadOnlyList<ReceivedMail>> MessagesAsync() =>
        (await control.GetFromJsonAsync<List<ReceivedMail>>("messages", JsonOptions))!;

    /// <summary>Waits for a message to <paramref name="recipient"/> (envelope), case-insensitively.</summary>
    public async Task<ReceivedMail> WaitForMessageAsync(string recipient, TimeSpan? timeout = null)
    {
        ReceivedMail? mail = await Poll.UntilAsync(
            async () => (await MessagesAsync()).FirstOrDefault(m => m.EnvelopeTo.Contains(recipient, StringComparer.OrdinalIgnoreCase)),
            mail => mail is not null,
            timeout ?? TimeSpan.FromSeconds(15),
            _ => $"No message to {recipient} arrived; the SMTP server said: {Snapshot(output)}");
        return mail!;
    }

    public async ValueTask DisposeAsync()
    {
        Kill(process);
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Killed; the OS reaps it.
        }

        process.Dispose();
        control.Dispose();
        try
        {
            System.IO.Directory.Delete(certificateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static string FindPeerDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "peers", "smtp");
            if (File.Exists(Path.Combine(candidate, "smtp.js")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/peers/smtp/smtp.js not found above {AppContext.BaseDirectory}.");
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
public sealed class SmtpPeerFixture : IAsyncLifetime
{
    private SmtpPeer? peer;

    public SmtpPeer Peer => peer ?? throw new InvalidOperationException("The SMTP server is not running.");

    public async Task InitializeAsync() => peer = await SmtpPeer.StartAsync();

    public async Task DisposeAsync()
    {
        if (peer is not null)
        {
            await peer.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SmtpCollection : ICollectionFixture<SmtpPeerFixture>
{
    public const string Name = "SMTP server";
}
