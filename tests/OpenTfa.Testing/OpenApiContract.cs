using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace OpenTfa.Testing;

/// <summary>
/// OpenTfa's OpenAPI document as committed in <c>docs/openapi.json</c> (a test keeps it equal to
/// what the server generates), and the check that an answer is one it describes: its status is
/// declared for the operation, the headers it declares as required are present, and the JSON
/// body validates against the declared schema. Requests the document has no operation for (an
/// unknown path, a wrong method, the metrics and reference pages) are not checked, nor are paths
/// holding a control character (the web server refuses them before OpenTfa sees them).
/// </summary>
public static class OpenApiContract
{
    private static readonly Uri DocumentUri = new("https://opentfa.invalid/openapi.json");
    private static readonly Lazy<Loaded> Document = new(Load);
    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>The path of the committed document.</summary>
    public static string Path => System.IO.Path.Combine(Repository.Root, "docs", "openapi.json");

    /// <summary>What is wrong with <paramref name="response"/> to <paramref name="request"/> (whose body is <paramref name="body"/>), or null when it is as described.</summary>
    public static string? Problem(HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        Loaded doc = Document.Value;
        string path = Normalize(request.RequestUri!.AbsolutePath);
        if (path.Any(char.IsControl))
        {
            // A control character in the path is refused by the web server itself, before OpenTfa sees the request.
            return null;
        }

        if (doc.Find(request.Method.Method.ToLowerInvariant(), path) is not { } operation)
        {
            return null;
        }

        string where = $"{request.Method} {request.RequestUri.PathAndQuery} ({operation.Template}) answered {(int)response.StatusCode}";
        string status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.Element.GetProperty("responses").TryGetProperty(status, out JsonElement declared))
        {
            return $"{where}, a status the document does not declare for this operation: {Trim(body)}";
        }

        if (declared.TryGetProperty("headers", out JsonElement headers))
        {
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                JsonElement definition = doc.Resolve(header.Value);
                if (definition.TryGetProperty("required", out JsonElement required) && required.GetBoolean() && !response.Headers.Contains(header.Name))
                {
                    return $"{where} without the header {header.Name}, which the document requires";
                }
            }
        }

        if (body.Length == 0)
        {
            return declared.TryGetProperty("content", out _) && request.Method != HttpMethod.Head ? $"{where} with an empty body; the document declares one" : null;
        }

        MediaTypeHeaderValue? type = response.Content.Headers.ContentType;
        if (type?.MediaType is not { } media || !media.Contains("json", StringComparison.Ordinal))
        {
            return null;
        }

        if (!declared.TryGetProperty("content", out JsonElement content) || !content.TryGetProperty(media, out JsonElement mediaType))
        {
            return $"{where} with a {media} body the document does not declare: {Trim(body)}";
        }

        string pointer = $"{operation.Pointer}/responses/{status}/content/{media.Replace("/", "~1", StringComparison.Ordinal)}/schema";
        JsonSchema schema = Schemas.GetOrAdd(pointer, _ => doc.Schema(mediaType.GetProperty("schema")));
        using JsonDocument instance = JsonDocument.Parse(body);
        EvaluationResults results = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        IEnumerable<string> errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .Distinct(StringComparer.Ordinal)
            .Take(8);
        return $"{where} with a body that does not match {pointer}: {string.Join("; ", errors)} — body: {Trim(body)}";
    }

    private static string Trim(string body) => body.Length > 600 ? body[..600] + "…" : body;

    private static string Normalize(string path)
    {
        string joined = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        return Uri.UnescapeDataString(joined);
    }

    private static Loaded Load()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: the OpenAPI document is committed there (OpenApiDocumentTests writes it with OPENTFA_WRITE_OPENAPI=1).");
        }

        return new Loaded(JsonDocument.Parse(File.ReadAllText(Path)));
    }

    private sealed record Operation(string Template, string Pointer, JsonElement Element);

    private sealed class Loaded
    {
        private readonly List<(Regex Pattern, int Parameters, string Template)> _paths = [];
        private readonly JsonDocument _document;

        public Loaded(JsonDocument document)
        {
            _document = document;
            var registry = new SchemaRegistry();
            registry.Register(DocumentUri, new JsonElementBaseDocument(document.RootElement, DocumentUri));
            BuildOptions = new BuildOptions { SchemaRegistry = registry };
            foreach (JsonProperty path in document.RootElement.GetProperty("paths").EnumerateObject())
            {
                string pattern = "^" + Regex.Replace(Regex.Escape(path.Name), @"\\\{[^/]+?}", "[^/]+") + "$";
                _paths.Add((new Regex(pattern, RegexOptions.CultureInvariant), path.Name.Count(c => c == '{'), path.Name));
            }
        }

        private BuildOptions BuildOptions { get; }

        /// <summary>A schema of the document as a JSON Schema of its own, its references pointing into the document.</summary>
        public JsonSchema Schema(JsonElement schema)
        {
            string text = schema.GetRawText().Replace("\"#/components/", $"\"{DocumentUri}#/components/", StringComparison.Ordinal);
            return JsonSchema.FromText(text, BuildOptions, new Uri($"https://opentfa.invalid/checks/{Guid.NewGuid():N}"));
        }

        /// <summary>The operation for a method and path; a literal segment wins over a parameter.</summary>
        public Operation? Find(string method, string path)
        {
            foreach ((Regex pattern, int _, string template) in _paths.Where(p => p.Pattern.IsMatch(path)).OrderBy(p => p.Parameters))
            {
                if (_document.RootElement.GetProperty("paths").GetProperty(template).TryGetProperty(method, out JsonElement operation))
                {
                    return new Operation(template, $"#/paths/{template.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}/{method}", operation);
                }
            }

            return null;
        }

        /// <summary>The element a <c>$ref</c> within the document points at, or the element itself.</summary>
        public JsonElement Resolve(JsonElement element)
        {
            if (!element.TryGetProperty("$ref", out JsonElement reference))
            {
                return element;
            }

            JsonElement current = _document.RootElement;
            foreach (string part in reference.GetString()!.TrimStart('#', '/').Split('/'))
            {
                current = current.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
            }

            return current;
        }
    }
}

/// <summary>Checks every answer a test client receives against the OpenAPI document (<see cref="OpenApiContract"/>).</summary>
public sealed class OpenApiContractHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (OpenApiContract.Problem(request, response, body) is { } problem)
        {
            throw new OpenApiContractException(problem);
        }

        return response;
    }
}

/// <summary>An answer the OpenAPI document does not describe.</summary>
public sealed class OpenApiContractException(string message) : Exception("The answer breaks the OpenAPI document: " + message);
