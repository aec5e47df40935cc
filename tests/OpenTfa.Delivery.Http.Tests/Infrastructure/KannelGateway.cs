using System.Globalization;
using System.Text;
using OpenTfa.Delivery.Smpp.Tests.Integration;

namespace OpenTfa.Delivery.Http.Tests.Infrastructure;

/// <summary>
/// Debian's Kannel — bearerbox and smsbox — configured from tests/peers/kannel and connected
/// over SMPP to the SMSC simulator of tests/peers/smsc, all on 127.0.0.1. Installs the package
/// when bearerbox is missing (apt-get), and fails saying what to do when it cannot. Disposing
/// kills exactly the PIDs it started.
/// </summary>
public sealed class KannelGateway : IAsyncDisposable
{
    public const string User = "opentfa";
    public const string Password = "sendsms-pass";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly List<PeerProcess> _processes = [];
    private readonly string _directory;

    private KannelGateway(string directory, SmscProcess smsc, int sendSmsPort)
    {
        _directory = directory;
        Smsc = smsc;
        SendSmsPort = sendSmsPort;
    }

    public SmscProcess Smsc { get; }

    public int SendSmsPort { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{SendSmsPort}");

    public static async Task<KannelGateway> StartAsync()
    {
        string bearerbox = await EnsureInstalledAsync();
        string smsbox = Path.Combine(Path.GetDirectoryName(bearerbox)!, "smsbox");
        SmscProcess smsc = await SmscProcess.StartAsync();
        string dir = Path.Combine(Path.GetTempPath(), "opentfa-kannel", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int admin = FreePort.Next();
        int boxes = FreePort.Next();
        int sendsms = FreePort.Next();
        string template = await File.ReadAllTextAsync(Path.Combine(Repository.Folder("tests/peers/kannel", "kannel.conf.template"), "kannel.conf.template"));
        string config = Path.Combine(dir, "kannel.conf");
        await File.WriteAllTextAsync(config, template
            .Replace("${ADMIN_PORT}", admin.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${ADMIN_PASSWORD}", "admin-pass", StringComparison.Ordinal)
            .Replace("${SMSBOX_PORT}", boxes.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${SENDSMS_PORT}", sendsms.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${SMSC_PORT}", smsc.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${SMSC_USER}", SmscProcess.SystemId, StringComparison.Ordinal)
            .Replace("${SMSC_PASSWORD}", SmscProcess.Password, StringComparison.Ordinal)
            .Replace("${SENDSMS_USER}", User, StringComparison.Ordinal)
            .Replace("${SENDSMS_PASSWORD}", Password, StringComparison.Ordinal)
            .Replace("${DIR}", dir, StringComparison.Ordinal));

        var gateway = new KannelGateway(dir, smsc, sendsms);
        try
        {
            await gateway.StartAsync(bearerbox, config, admin);
            await gateway.StartAsync(smsbox, config, sendsms);
            await Poll.UntilAsync(
                async () => (await smsc.GetBindsAsync()).Count > 0,
                TimeSpan.FromSeconds(30),
                () => $"Kannel did not bind to the SMSC simulator: {gateway.Logs()}");

            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>The path of bearerbox; installs Debian's kannel package when it is missing.</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Find() is { } found)
            {
                return found;
            }

            ProgramResult update = await AptGetAsync("update", "-qq");
            ProgramResult install = update.ExitCode == 0 ? await AptGetAsync("install", "-y", "-qq", "--no-install-recommends", "kannel") : update;
            return Find() ?? throw new InvalidOperationException(
                "The kannel channel tests run Debian's Kannel (bearerbox, smsbox), which is not installed, and installing it failed " +
                $"({install}). Install it as root: apt-get update && apt-get install -y --no-install-recommends kannel");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public string Logs()
    {
        var text = new StringBuilder();
        foreach (string file in new[] { "bearerbox.log", "smsbox.log" })
        {
            string path = Path.Combine(_directory, file);
            if (File.Exists(path))
            {
                text.AppendLine($"--- {file} (last lines)").AppendJoin('\n', File.ReadAllLines(path).TakeLast(40)).AppendLine();
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        // smsbox first, then bearerbox: the order Kannel stops in.
        for (int i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }

        await Smsc.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    /// <summary>Starts one box and waits until it listens on <paramref name="port"/>.</summary>
    private async Task StartAsync(string file, string config, int port)
    {
        PeerProcess box = PeerProcess.Start(new ProgramStart(file, [config]) { WorkingDirectory = _directory });
        _processes.Add(box);
        try
        {
            await box.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{e.Message}\n{Logs()}", e);
        }
    }

    private static readonly string[] BearerboxPaths = ["/usr/sbin/bearerbox", "/usr/bin/bearerbox", "/usr/local/sbin/bearerbox"];

    private static string? Find() => BearerboxPaths.FirstOrDefault(File.Exists);

    private static Task<ProgramResult> AptGetAsync(params string[] arguments) =>
        PeerProcess.RunAsync(
            new ProgramStart("apt-get", arguments) { Environment = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" } },
            TimeSpan.FromMinutes(10));
}
