# W800-AT's AT+MQTTUSERCFG? and AT+MQTTCONNCFG? queries, and its lwt_msg limit.
# Sources: W800 spec, AT+MQTTUSERCFG and AT+MQTTCONNCFG (query templates
# +MQTTUSERCFG:<LinkID>,<scheme>,<"client_id">,<"username">,<"password">,
# <cert_key_ID>,<CA_ID>,<"path"> and +MQTTCONNCFG:<LinkID>,<keepalive>,
# <disable_clean_session>,<"lwt_topic">,<"lwt_msg">,<lwt_qos>,<lwt_retain>;
# lwt_msg at most 128 bytes, where ESP-AT's spec says 64); W800 reference §2.5
# (the queries are W800 additions; how they print before a set is unknown).
# Decisions (doc-derived, W800 reference §4 item 9): before any set the
# queries print the template with the defaults — scheme 0 as AT+MQTTCONN?
# prints it at state 0, empty strings, keepalive 0 (the spec's default, sent
# as 120), clean session, will QoS and retain 0; the password prints in clear
# as the template shows it; AT+MQTTCLEAN=0 forgets the configuration.
# A value out of range is plain ERROR (W800 reference §4 item 2).
@w800 @usercfg @conncfg
Feature: W800-AT reports its MQTT configuration

  Background:
    Given the device has been reset

  @doc_derived
  Scenario: AT+MQTTUSERCFG? before any configuration shows the defaults
    When I send AT+MQTTUSERCFG?
    Then the device answers:
      """
      +MQTTUSERCFG:0,0,"","","",0,0,""
      OK
      """

  Scenario: AT+MQTTUSERCFG? shows what was set
    Given I have sent AT+MQTTUSERCFG=0,6,"w800-q","alice","s3cret",0,0,"/mqtt"
    When I send AT+MQTTUSERCFG?
    Then the device answers:
      """
      +MQTTUSERCFG:0,6,"w800-q","alice","s3cret",0,0,"/mqtt"
      OK
      """

  Scenario: AT+MQTTUSERCFG? shows a client id set with AT+MQTTLONGCLIENTID
    Given I have sent AT+MQTTUSERCFG=0,1,"short","","",0,0,""
    When I send AT+MQTTLONGCLIENTID=0,12
    Then the device answers OK
    And the device answers >
    When I send the raw data "a-longer-one"
    Then the device answers OK
    When I send AT+MQTTUSERCFG?
    Then the device answers:
      """
      +MQTTUSERCFG:0,1,"a-longer-one","","",0,0,""
      OK
      """

  @doc_derived
  Scenario: AT+MQTTCONNCFG? before any configuration shows the defaults
    When I send AT+MQTTCONNCFG?
    Then the device answers:
      """
      +MQTTCONNCFG:0,0,0,"","",0,0
      OK
      """

  Scenario: AT+MQTTCONNCFG? shows what was set
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-cq","","",0,0,""
      AT+MQTTCONNCFG=0,90,1,"w800/will","gone",2,1
      """
    When I send AT+MQTTCONNCFG?
    Then the device answers:
      """
      +MQTTCONNCFG:0,90,1,"w800/will","gone",2,1
      OK
      """

  @doc_derived @clean
  Scenario: AT+MQTTCLEAN forgets the configuration the queries show
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-cc","u","p",0,0,""
      AT+MQTTCONNCFG=0,90,1,"w800/will","gone",2,1
      AT+MQTTCLEAN=0
      """
    When I send AT+MQTTUSERCFG?
    Then the device answers:
      """
      +MQTTUSERCFG:0,0,"","","",0,0,""
      OK
      """
    When I send AT+MQTTCONNCFG?
    Then the device answers:
      """
      +MQTTCONNCFG:0,0,0,"","",0,0
      OK
      """

  Scenario: a 128-byte will message is accepted and sent in CONNECT
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-lwt","","",0,0,""
      AT+MQTTCONNCFG=0,60,0,"w800/lwt","{128 x 'm'}",0,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "w800-lwt" with:
      | will topic   | w800/lwt      |
      | will message | {128 x 'm'}   |

  @doc_derived
  Scenario: a 129-byte will message is refused
    Given I have sent AT+MQTTUSERCFG=0,1,"w800-lwt","","",0,0,""
    When I send AT+MQTTCONNCFG=0,60,0,"w800/lwt","{129 x 'm'}",0,0
    Then the device answers ERROR
