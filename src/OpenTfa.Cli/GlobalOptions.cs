using System.CommandLine;

namespace OpenTfa.Cli;

/// <summary>Options every command accepts: where the server is, which key to present, and the output form.</summary>
internal static class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string UrlVariable = "OPENTFA_URL";
    public const string KeyVariable = "OPENTFA_API_KEY";

    public static readonly Option<string?> Url = new("--url")
    {
        Description = $"The server's address [env: {UrlVariable}; default: {DefaultUrl}]",
        Recursive = true,
        HelpName = "url",
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = $"The API key, sent as 'Authorization: App <key>' [env: {KeyVariable}]",
        Recursive = true,
        HelpName = "key",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the server's raw JSON answer instead of a table (for scripts)",
        Recursive = true,
    };
}
