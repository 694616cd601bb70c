# W800-AT's connection: +MQTTCONNECTED, +MQTTCONN?, every scheme, and the
# rule that a dropped link without reconnect needs AT+MQTTCLEAN first.
# Sources: W800 spec, AT+MQTTCONN (query +MQTTCONN:<LinkID>,<state>,<scheme>
# <"host">,<port>,<"path">,<reconnect>; states 0..6; reconnect 0: "If MQTT
# establishes a connection but then disconnects, it cannot be reconnected
# using this command. You need to first send the command AT+MQTTCLEAN=0") and
# its notes (+MQTTCONNECTED:<LinkID>,<scheme>,<"host">,port,<"path">,
# <reconnect> and +MQTTDISCONNECTED:<LinkID>); W800 reference §2.5.
# Decision on the port (doc-derived, W800 reference §2.5 and §4 item 6): the
# port prints bare, as a number. Both W800 templates write it without quotes
# (<port>, or port), and the doc's notation quotes exactly the string fields
# (<"host">); ESP-AT's binary quotes it, but W800-AT is WinnerMicro's own
# closed code on paho (reference §1), so ESP-AT's quirk is not assumed.
# The missing comma after <scheme> in the query template is taken as a typo:
# the +MQTTCONNECTED template has it, and without it the line cannot be parsed.
# Before any connect the query prints an empty host and port 0.
# A connect refused for the link's state is plain ERROR (reference §4 item 2).
@w800 @conn
Feature: W800-AT connects and reports its connection with the port as a number

  Background:
    Given the device has been reset

  @doc_derived
  Scenario: the query before any configuration reports state 0
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,0,0,"",0,"",0
      OK
      """

  @doc_derived
  Scenario: connecting prints +MQTTCONNECTED with a bare port, and the query shows the connection
    Given I have sent AT+MQTTUSERCFG=0,1,"w800-conn","","",0,0,""
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},1
    Then the device answers OK
    And the next URC is +MQTTCONNECTED:0,1,"{broker.host}",{port.scheme1},"",1
    And the broker received a CONNECT from "w800-conn" with:
      | keepalive     | 120 |
      | clean session | 1   |
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,4,1,"{broker.host}",{port.scheme1},"",1
      OK
      """

  @doc_derived
  Scenario: after a drop without reconnect, AT+MQTTCONN is refused until AT+MQTTCLEAN
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-drop","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When the broker cuts the connection of "w800-drop"
    Then the device reports +MQTTDISCONNECTED:0
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,3,1,"{broker.host}",{port.scheme1},"",0
      OK
      """
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers ERROR
    When I send these commands, each answered OK:
      """
      AT+MQTTCLEAN=0
      AT+MQTTUSERCFG=0,1,"w800-drop","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the device reports +MQTTCONNECTED:0,1,"{broker.host}",{port.scheme1},"",0
    And the broker received a CONNECT from "w800-drop" with:
      | clean session | 1 |

  @doc_derived
  Scenario: with reconnect on, the device connects again by itself after a drop
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-re","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},1
      """
    And the device reports +MQTTCONNECTED:0,1,"{broker.host}",{port.scheme1},"",1
    When the broker cuts the connection of "w800-re"
    Then the device reports +MQTTDISCONNECTED:0
    And the device reports +MQTTCONNECTED:0,1,"{broker.host}",{port.scheme1},"",1

  @doc_derived @schemes
  Scenario Outline: scheme <scheme> connects over the <listener> listener
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,<scheme>,"w800-scheme-<scheme>","","",0,0,"<path>"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme<scheme>},0
      """
    Then the device reports +MQTTCONNECTED:0,<scheme>,"{broker.host}",{port.scheme<scheme>},"<path>",0
    And the broker saw the connection of "w800-scheme-<scheme>" arrive with:
      | listener           | <listener> |
      | tls                | <tls>      |
      | client certificate | <cert>     |
      | websocket path     | <ws path>  |
    When I send AT+MQTTCLEAN=0
    Then the device answers OK
    And the broker received a DISCONNECT from "w800-scheme-<scheme>"

    Examples:
      | scheme | listener | path  | tls | cert                | ws path |
      | 1      | tcp      |       | no  | (none)              | (none)  |
      | 2      | tls      |       | yes | (none)              | (none)  |
      | 3      | tls      |       | yes | (none)              | (none)  |
      | 4      | mtls     |       | yes | CN=atconform-device | (none)  |
      | 5      | mtls     |       | yes | CN=atconform-device | (none)  |
      | 6      | ws       | /mqtt | no  | (none)              | /mqtt   |
      | 7      | wss      | /mqtt | yes | (none)              | /mqtt   |
      | 8      | wss      | /mqtt | yes | (none)              | /mqtt   |
      | 9      | mwss     | /mqtt | yes | CN=atconform-device | /mqtt   |
      | 10     | mwss     | /mqtt | yes | CN=atconform-device | /mqtt   |
