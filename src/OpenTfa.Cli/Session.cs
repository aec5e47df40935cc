using System.CommandLine;
using System.Net;
using OpenTfa.Client;

namespace OpenTfa.Cli;

/// <summary>One command's connection to the server, its output form, and the mapping of every failure to an exit code and advice.</summary>
internal sealed class Session : IDisposable
{
    private readonly RecordingHandler _recorder = new();
    private readonly HttpClient _http;

    private Session(Uri url, string? apiKey, bool json)
    {
        Url = url;
        Json = json;
        _http = new HttpClient(_recorder);
        new OpenTfaClientOptions { BaseAddress = url, ApiKey = apiKey, Timeout = TimeSpan.FromSeconds(30) }.ApplyTo(_http);
        Client = new OpenTfaClient(_http);
    }

    public Uri Url { get; }

    public bool Json { get; }

    public OpenTfaClient Client { get; }

    public IReadOnlyList<string> Bodies => _recorder.Bodies;

    public static TextWriter Out => Console.Out;

    public static TextWriter Error => Console.Error;

    /// <summary>Runs a command body with the server's address and key resolved, turning every failure into advice and an exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, Func<Session, CancellationToken, Task<int>> body, CancellationToken cancellationToken) =>
        RunAsync(parse, needsKey: true, body, cancellationToken);

    public static async Task<int> RunAsync(ParseResult parse, bool needsKey, Func<Session, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        Session session;
        try
        {
            session = Open(parse, needsKey);
        }
        catch (UsageException ex)
        {
            Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Usage;
        }

        using (session)
        {
            try
            {
                return await body(session, cancellationToken);
            }
            catch (UsageException ex)
            {
                Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Usage;
            }
            catch (OpenTfaApiException ex)
            {
                if (session.Json && !string.IsNullOrEmpty(ex.ResponseBody))
                {
                    Out.WriteLine(ex.ResponseBody);
                }

                Advice.Write(Error, ex, session.Url);
                return (int)ex.StatusCode is >= 500 or < 400 ? ExitCodes.Unavailable : ExitCodes.ApiError;
            }
            catch (HttpRequestException ex)
            {
                Error.WriteLine($"error: cannot reach the OpenTfa server at {session.Url}: {ex.Message}");
                Error.WriteLine($"  Start one with 'opentfa serve', or point to it with --url or {GlobalOptions.UrlVariable}.");
                return ExitCodes.Unavailable;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Error.WriteLine($"error: the OpenTfa server at {session.Url} did not answer within 30 seconds.");
                Error.WriteLine("  Check that it is running and not overloaded ('opentfa server status').");
                return ExitCodes.Unavailable;
            }
        }
    }

    private static Session Open(ParseResult parse, bool needsKey)
    {
        string urlText = Nonblank(parse.GetValue(GlobalOptions.Url)) ?? Nonblank(Environment.GetEnvironmentVariable(GlobalOptions.UrlVariable)) ?? GlobalOptions.DefaultUrl;
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"'{urlText}' is not an http or https address (from --url or {GlobalOptions.UrlVariable}); for example {GlobalOptions.DefaultUrl}");
        }

        string? key = Nonblank(parse.GetValue(GlobalOptions.ApiKey)) ?? Nonblank(Environment.GetEnvironmentVariable(GlobalOptions.KeyVariable));
        if (needsKey && key is null)
        {
            throw new UsageException($"no API key: set {GlobalOptions.KeyVariable} or pass --api-key (the server printed its bootstrap key at first start, or use OpenTfa__BootstrapApiKey)");
        }

        if (key is not null && key.Any(char.IsControl))
        {
            throw new UsageException($"the API key contains a control character (a stray line break in {GlobalOptions.KeyVariable}?)");
        }

        return new Session(url, key, parse.GetValue(GlobalOptions.Json));
    }

    private static string? Nonblank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Prints the last raw answer in JSON mode, else the human view.</summary>
    public void Emit(Action human)
    {
        if (Json)
        {
            Out.WriteLine(_recorder.Last ?? string.Empty);
        }
        else
        {
            human();
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>What to do about an error answer, printed under it.</summary>
internal static class Advice
{
    public static void Write(TextWriter error, OpenTfaApiException ex, Uri url)
    {
        string what = ex.Text ?? ex.Title ?? ex.StatusCode.ToString();
        error.WriteLine($"error: {(int)ex.StatusCode} {ex.MessageId ?? ex.Title ?? ex.StatusCode.ToString()}: {what}");
        foreach ((string field, IReadOnlyList<string> messages) in ex.ValidationErrors)
        {
            foreach (string message in messages)
            {
                error.WriteLine($"  {field}: {message}");
            }
        }

        string? hint = ex.StatusCode switch
        {
            HttpStatusCode.BadRequest => "Fix the values named above and run the command again (see --help for each option).",
            HttpStatusCode.Unauthorized => $"The server does not accept the API key: check {GlobalOptions.KeyVariable} or --api-key (a revoked or expired key no longer works).",
            HttpStatusCode.Forbidden when what.Contains("disabled", StringComparison.OrdinalIgnoreCase) =>
                "Enable the application with 'opentfa apps update <applicationId> --enabled true'.",
            HttpStatusCode.Forbidden => "Use a key that has the scope named above, or create one with 'opentfa keys create --scope <scope>' using an opentfa:admin key.",
            HttpStatusCode.NotFound => "Check the id: ids belong to the key's tenant ('opentfa apps list', 'opentfa templates list <applicationId>', 'opentfa keys list').",
            HttpStatusCode.TooManyRequests => ex.RetryAfter is { } wait
                ? $"A limit was reached: try again in {Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds))} s."
                : "A limit was reached: try again later.",
            >= HttpStatusCode.InternalServerError => $"The server at {url} failed to serve the request; check its log and 'opentfa server status'.",
            _ => null,
        };
        if (hint is not null)
        {
            error.WriteLine($"  {hint}");
        }
    }
}
