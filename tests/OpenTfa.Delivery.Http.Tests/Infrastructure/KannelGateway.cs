using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using OpenTfa.Delivery.Smpp.Tests.Integration;
using OpenTfa.Delivery.Tests.Infrastructure;

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
    private readonly List<Process> processes = [];
    private readonly string directory;

    private KannelGateway(string directory, SmscProcess smsc, int sendSmsPort)
    {
        this.directory = directory;
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
        int admin = OpenTfaTestHost.FreePort();
        int boxes = OpenTfaTestHost.FreePort();
        int sendsms = OpenTfaTestHost.FreePort();
        string template = await File.ReadAllTextAsync(Path.Combine(PeerDirectory(), "kannel.conf.template"));
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
            gateway.Start(bearerbox, config);
            await gateway.WaitForPortAsync(admin, "bearerbox");
            gateway.Start(smsbox, config);
            await gateway.WaitForPortAsync(sendsms, "smsbox");
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

            (int update, string updateText) = await RunAsync("apt-get", ["update", "-qq"]);
            (int install, string installText) = update == 0
                ? await RunAsync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "kannel"])
                : (update, updateText);
            return Find() ?? throw new InvalidOperationException(
                "The kannel channel tests run Debian's Kannel (bearerbox, smsbox), which is not installed, and installing it failed " +
                $"(exit {install}): {installText.Trim()}. Install it as root: apt-get update && apt-get install -y --no-install-recommends kannel");
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
            string path = Path.Combine(directory, file);
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
        for (int i = processes.Count - 1; i >= 0; i--)
        {
            try
            {
                if (!processes[i].HasExited)
                {
                    processes[i].Kill(entireProcessTree: false);
                    await processes[i].WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // Gone, or left to the OS.
            }

            processes[i].Dispose();
        }

        await Smsc.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    private void Start(string file, string config)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(config);
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes.Add(process);
    }

    private async Task WaitForPortAsync(int port, string what)
    {
        await Poll.UntilAsync(
            async () =>
            {
                if (processes[^1].HasExited)
                {
                    throw new InvalidOperationException($"{what} exited with {processes[^1].ExitCode}: {Logs()}");
                }

                try
                {
                    using var socket = new TcpClient();
                    await socket.ConnectAsync("127.0.0.1", port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            () => $"{what} did not listen on {port}: {Logs()}");
    }

    private static string? Find() =>
        new[] { "/usr/sbin/bearerbox", "/usr/bin/bearerbox", "/usr/local/sbin/bearerbox" }.FirstOrDefault(File.Exists);

    private static string PeerDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "peers", "kannel");
            if (File.Exists(Path.Combine(candidate, "kannel.conf.template")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/peers/kannel/kannel.conf.template not found above {AppContext.BaseDirectory}.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
