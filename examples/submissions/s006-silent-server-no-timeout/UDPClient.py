import time
from socket import *

serverName = 'server'
serverPort = 12000

clientSocket = socket(AF_INET, SOCK_DGRAM)
message = input('Input lowercase sentence:')

time1 = time.time()
clientSocket.sendto(message.encode(), (serverName, serverPort))
modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
time2 = time.time()

print(modifiedMessage.decode())
print('Request sent at', time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(time1)))
print('Reply received at', time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(time2)))
print('RTT:', (time2 - time1) * 1000, 'ms')
clientSocket.close()
