using OpenTfa.Core.Security;

namespace OpenTfa.Core.Tests.Security;

public sealed class SecretRedactionTests
{
    [Theory]
    [InlineData("OpenTfa:Channels:gw:Password")]
    [InlineData("OpenTfa:Channels:tw:AuthToken")]
    [InlineData("OpenTfa:Channels:gw:CallbackSecret")]
    [InlineData("OpenTfa:Channels:vonage:ApiKey")]
    [InlineData("OpenTfa:Channels:vonage:PrivateKeyFile")]
    [InlineData("OpenTfa:BootstrapApiKey")]
    public void Value_OfASecretNamedSetting_IsHidden(string setting)
    {
        Assert.Equal(SecretRedaction.Hidden, SecretRedaction.Value(setting, "hunter2"));
    }

    [Theory]
    [InlineData("OpenTfa:Channels:gw:BaseUrl", "https://sms.example.com/send", "https://sms.example.com/send")]
    [InlineData("OpenTfa:Channels:gw:BaseUrl", "http://admin:hunter2@10.0.0.5:13013/cgi", "http://***@10.0.0.5:13013/cgi")]
    [InlineData("OpenTfa:Channels:gw:BaseUrl", "http://h/cgi-bin/sendsms?username=u&password=hunter2&to=1", "http://h/cgi-bin/sendsms?username=u&password=***&to=1")]
    [InlineData("OpenTfa:Channels:gw:SendTimeout", "ten seconds", "ten seconds")]
    [InlineData("OpenTfa:Storage:ConnectionString", "Host=db;Username=o;Password=hunter2;Database=x", "Host=db;Username=o;Password=***;Database=x")]
    public void Value_OfOtherSettings_KeepsAllButCredentials(string setting, string value, string shown)
    {
        Assert.Equal(shown, SecretRedaction.Value(setting, value));
    }

    [Fact]
    public void Text_MasksCredentialsWhereverTheyStand()
    {
        string shown = SecretRedaction.Text("could not use Host=db;Password=hunter2;Database=x or https://u:hunter2@gw/?api_key=hunter2&token = hunter2");

        Assert.DoesNotContain("hunter2", shown, StringComparison.Ordinal);
        Assert.Contains("Host=db", shown, StringComparison.Ordinal);
    }
}
