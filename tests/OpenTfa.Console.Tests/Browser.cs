using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTfa.Console.Tests;

/// <summary>
/// Debian's Chromium, headless, driven through playwright-core (tests/tools/browser/driver.mjs)
/// one JSON line per command. A missing Chromium or Node.js fails the test saying how to install it.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumHint = "Chromium is needed: run ./test.sh, which installs it (or apt-get install -y --no-install-recommends chromium fonts-liberation).";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private int _nextId;

    private Browser(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Receive(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static async Task<Browser> LaunchAsync()
    {
        string chromium = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"No browser at {chromium}. {ChromiumHint}");
        }

        string directory = Repository.Folder("tests/tools/browser", "driver.mjs");
        await NodePeer.EnsureInstalledAsync(directory, "playwright-core", "axe-core");
        var start = new ProcessStartInfo("node", ["driver.mjs"])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CHROMIUM"] = chromium;
        return new Browser(Process.Start(start) ?? throw new InvalidOperationException($"node could not be started. {NodePeer.NodeHint}"));
    }

    /// <summary>A new browser context (its own cookies) with one page of the given size.</summary>
    public async Task<Page> OpenAsync(int width = 1280, int height = 900) =>
        new(this, (int)(await SendAsync(new JsonObject { ["op"] = "open", ["width"] = width, ["height"] = height }))!);

    internal async Task<JsonNode?> SendAsync(JsonObject command)
    {
        int id = Interlocked.Increment(ref _nextId);
        command["id"] = id;
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _process.StandardInput.WriteLineAsync(command.ToJsonString());
        await _process.StandardInput.FlushAsync();
        try
        {
            return await answer.Task.WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The browser did not answer {command.ToJsonString()} within {CommandTimeout.TotalSeconds} s. Driver output: {string.Join(" | ", _stderr)}");
        }
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            foreach (TaskCompletionSource<JsonNode?> open in _pending.Values)
            {
                open.TrySetException(new InvalidOperationException($"The browser driver ended. {ChromiumHint} Its output: {string.Join(" | ", _stderr)}"));
            }

            return;
        }

        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(line);
        }
        catch (JsonException)
        {
            _stderr.Enqueue(line);
            return;
        }

        if (answer?["id"]?.GetValue<int>() is { } id && _pending.TryRemove(id, out TaskCompletionSource<JsonNode?>? waiting))
        {
            if (answer["ok"]?.GetValue<bool>() == true)
            {
                waiting.TrySetResult(answer["value"]);
            }
            else
            {
                waiting.TrySetException(new BrowserException(answer["error"]?.GetValue<string>() ?? "unknown error"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        await Task.CompletedTask;
    }
}

public sealed class BrowserException(string message) : Exception(message);

/// <summary>
/// One page in its own browser context. Selectors: <c>label=Text</c> (the control a label
/// names), <c>role=button/Name</c> (by accessible role and name), <c>text=…</c>, or CSS; a CSS
/// scope before <c> &gt;&gt; </c> narrows any of them (<c>#editor &gt;&gt; label=Name</c>).
/// </summary>
public sealed class Page(Browser browser, int context)
{
    private Task<JsonNode?> Send(string op, JsonObject? args = null)
    {
        JsonObject command = args ?? [];
        command["op"] = op;
        command["context"] = context;
        return browser.SendAsync(command);
    }

    public async Task<string> GotoAsync(Uri url) => (string)(await Send("goto", new JsonObject { ["url"] = url.ToString() }))!;

    public async Task<string> UrlAsync() => (string)(await Send("url"))!;

    public Task FillAsync(string selector, string value) => Send("fill", new JsonObject { ["selector"] = selector, ["value"] = value });

    public Task ClickAsync(string selector) => Send("click", new JsonObject { ["selector"] = selector });

    public Task PressAsync(string key) => Send("press", new JsonObject { ["key"] = key });

    public Task SelectAsync(string selector, string value) => Send("select", new JsonObject { ["selector"] = selector, ["value"] = value });

    public Task CheckAsync(string selector) => Send("check", new JsonObject { ["selector"] = selector });

    public async Task<string> TextAsync(string selector) => (string)(await Send("text", new JsonObject { ["selector"] = selector }))!;

    public async Task<int> CountAsync(string selector) => (int)(await Send("count", new JsonObject { ["selector"] = selector }))!;

    /// <summary>Waits until the element shows <paramref name="text"/>; answers its whole text.</summary>
    public async Task<string> WaitForTextAsync(string selector, string text, int timeoutMs = 15_000) =>
        (string)(await Send("waitText", new JsonObject { ["selector"] = selector, ["text"] = text, ["timeout"] = timeoutMs }))!;

    /// <summary>The element that has the keyboard focus, as <c>tag#id text</c>.</summary>
    public async Task<string> FocusedAsync() => (string)(await Send("focused"))!;

    public async Task<JsonNode?> EvaluateAsync(string expression) => await Send("evaluate", new JsonObject { ["expression"] = expression });

    public async Task<JsonArray> CookiesAsync() => (JsonArray)(await Send("cookies"))!;

    public Task ScreenshotAsync(string path, bool fullPage = false) => Send("screenshot", new JsonObject { ["path"] = path, ["fullPage"] = fullPage });

    /// <summary>Console errors, uncaught exceptions and failed requests since the last call (a CSP refusal is a console error).</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync() => ((JsonArray)(await Send("problems"))!).Select(p => (string)p!).ToList();

    /// <summary>axe-core's WCAG 2.1 A and AA violations on the page as it is now.</summary>
    public async Task<IReadOnlyList<string>> AccessibilityViolationsAsync() => ((JsonArray)(await Send("axe"))!).Select(p => (string)p!).ToList();

    public Task CloseAsync() => Send("close");
}
